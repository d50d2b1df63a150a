"""Administrators edit ladders and the policy in the Django admin; every change is audited; slugs stay fixed."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from virtualschool.core.models import AuditEvent
from virtualschool.escalations.admin import LadderAdmin
from virtualschool.escalations.models import Ladder, LadderLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(world):
    world.admin.is_staff = True
    world.admin.save()
    return world.admin


def test_an_administrator_opens_a_ladder_with_its_levels_and_the_policy(client, administrator):
    client.force_login(administrator)
    ladder = Ladder.objects.get(slug="dorset-dispute-resolution")
    page = client.get(f"/django-admin/escalations/ladder/{ladder.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Referral to CAFCASS" in html and 'name="slug"' not in html  # the slug is read-only
    assert client.get("/django-admin/escalations/escalationpolicy/").status_code == 302


def test_a_change_made_in_the_admin_is_audited(administrator):
    ladder = Ladder.objects.get(slug="gloucestershire-school")
    request = RequestFactory().post("/")
    request.user = administrator
    model_admin = LadderAdmin(Ladder, site)
    ladder.skip_by = "The Virtual School Head"
    ladder.may_skip = True
    model_admin.save_model(request, ladder, form=None, change=True)
    event = AuditEvent.objects.get(object_type="escalations.ladder", action="update")
    assert event.changes["may_skip"] == [False, True]
    assert event.actor == administrator


def test_a_lead_cannot_change_ladders(client, world):
    world.lead.is_staff = True
    world.lead.save()
    client.force_login(world.lead)
    ladder = Ladder.objects.get(slug="gloucestershire-school")
    response = client.post(f"/django-admin/escalations/ladder/{ladder.pk}/change/", {"name": "Changed"})
    assert response.status_code == 403
    assert LadderLevel.objects.filter(ladder=ladder).count() == 4
    ladder.refresh_from_db()
    assert ladder.name != "Changed"


def _post_value(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def _form_data(response) -> dict:
    """What the admin change page would post back unchanged: the ladder's fields and every level's."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.total_form_count())
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        forms += formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif value is not None and value is not False and value != "":
                data[key] = _post_value(value)
    return data


def test_an_administrator_changes_a_levels_time_through_the_admin(client, administrator):
    client.force_login(administrator)
    ladder = Ladder.objects.get(slug="dorset-dispute-resolution")
    url = f"/django-admin/escalations/ladder/{ladder.pk}/change/"
    data = _form_data(client.get(url))
    level_two = LadderLevel.objects.get(ladder=ladder, number=2)
    key = next(k.removesuffix("-id") for k, v in data.items() if k.endswith("-id") and str(v) == str(level_two.pk))
    data[f"{key}-time_amount"] = 3
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    level_two.refresh_from_db()
    assert level_two.time_amount == 3
    assert AuditEvent.objects.filter(object_type="escalations.ladderlevel", action="update").exists()
