"""Signing in and out, resetting and changing a password, and the home page each role starts from."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.urls import include, path, reverse

from virtualschool.accounts.tests.factories import UserFactory
from virtualschool.core.models import AuditEvent

PASSWORD = "correct horse battery staple"  # UserFactory's password


def _stub_page(request):
    return HttpResponse("stub")


# This app's and core's pages plus stand-ins for the list pages the navigation and home cards link to, so these
# tests do not depend on those pages' own work.
urlpatterns = [
    path("", include("virtualschool.accounts.urls")),
    path("", include("virtualschool.core.urls")),
    path(
        "stub/children/",
        include(
            (
                [
                    path("", _stub_page, name="roll"),
                    path("caseload/", _stub_page, name="caseload"),
                    path("missing-education/", _stub_page, name="missing-education"),
                ],
                "children",
            )
        ),
    ),
    path("stub/schools/", include(([path("", _stub_page, name="list")], "schools"))),
]
with_list_pages = pytest.mark.urls(__name__)


@pytest.mark.django_db
def test_signing_in_takes_the_user_home_and_records_a_login_event(client):
    user = UserFactory(username="ayesha", full_name="Ayesha Lead")

    response = client.post(reverse("login"), {"username": "ayesha", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == user
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_an_error_summary_and_recorded(client):
    UserFactory(username="ayesha")

    response = client.post(reverse("login"), {"username": "ayesha", "password": "not the password"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Sign in – " in html
    assert html.count("govuk-error-summary__list") == 1
    assert "Enter a correct username and password" in html
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.object_repr == "ayesha"
    assert event.actor is None
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_missing_sign_in_details_link_from_the_summary_to_each_field(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    html = response.content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


@pytest.mark.django_db
def test_sign_in_page_says_how_long_an_idle_session_lasts(client, settings):
    response = client.get(reverse("login"))

    assert "signed out after 30 minutes without activity" in response.content.decode()


@pytest.mark.django_db
def test_sign_out_only_by_post_and_it_records_a_logout_event(client):
    user = UserFactory()
    client.force_login(user)

    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have signed out." in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=user).count() == 1
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in_from_home(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.django_db
def test_pages_needed_before_signing_in_are_open(client):
    for name in (
        "login",
        "password_reset",
        "password_reset_done",
        "password_reset_complete",
        "accessibility",
        "privacy",
    ):
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.django_db
def test_password_reset_sends_one_email_with_a_working_link_to_a_known_address(client):
    user = UserFactory(username="ayesha", email="ayesha.lead@example.gov.uk")

    response = client.post(reverse("password_reset"), {"email": "Ayesha.Lead@example.gov.uk"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ayesha.lead@example.gov.uk"]
    assert "Reset your password" in message.subject
    link = re.search(r"http://testserver(/password-reset/\S+)", message.body)
    assert link, message.body

    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a much longer new passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new_password)
    change = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="accounts.user")
    assert change.actor == user
    assert new_password not in str(change.changes)


def _without_csrf_tokens(html: str) -> str:
    # A CSRF token is masked afresh on every response.
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client):
    UserFactory(email="known@example.gov.uk")

    known = client.post(reverse("password_reset"), {"email": "known@example.gov.uk"}, follow=True)
    mail.outbox.clear()
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.gov.uk"}, follow=True)

    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert _without_csrf_tokens(unknown.content.decode()) == _without_csrf_tokens(known.content.decode())


@pytest.mark.django_db
def test_password_reset_asks_for_a_real_email_address(client):
    response = client.post(reverse("password_reset"), {"email": "not an address"})

    assert response.status_code == 200
    assert '<a href="#id_email">Enter an email address in the correct format' in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_changing_a_password_needs_the_current_one_and_is_recorded(client):
    user = UserFactory()
    client.force_login(user)

    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert "Your current password is not right" in wrong.content.decode()

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )

    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password("another long passphrase")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, actor=user).count() == 1
    # Still signed in after the change.
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_home_greets_every_role_with_its_role_name_and_the_council(client, world):
    for name, user in world.users().items():
        client.force_login(user)
        response = client.get(reverse("home"))
        html = response.content.decode()
        assert response.status_code == 200, name
        assert user.get_role_display() in html, name
        assert f"Hello, {user.get_short_name()}" in html, name
        assert "Exemplar County Council" in html, name
        assert "<title>Home – Virtual School – Exemplar County Council</title>" in html, name


def _cards(html: str) -> dict[str, str]:
    """Home page cards as {heading: count text}."""
    found = re.findall(
        r'app-card__heading"><a [^>]*>([^<]+)</a></h3>\s*(?:<p [^>]*><span class="app-card__count">(\d+))?', html
    )
    return dict(found)


@with_list_pages
@pytest.mark.django_db
def test_home_offers_each_role_the_parts_of_the_service_it_uses(client, world):
    expected = {
        "head": ["My caseload", "Roll", "Missing education", "Schools"],
        "lead": ["My caseload", "Roll", "Missing education", "Schools"],
        "data": ["My caseload", "Roll", "Missing education", "Schools"],
        "send": ["My children", "Missing education", "Schools"],
        "dt_a": ["My children", "Schools"],
        "sw_a": ["My children"],
        "iro_a": ["My children"],
        "panel": [],
        "admin": ["Schools"],
    }
    for name, headings in expected.items():
        client.force_login(world.users()[name])
        html = client.get(reverse("home")).content.decode()
        assert list(_cards(html)) == headings, name
        nav = re.findall(
            r'class="govuk-service-navigation__link" href="[^"]+"[^>]*>\s*(?:<strong[^>]*>)?([^<]+)<', html
        )
        assert [label.strip() for label in nav] == ["Home", *headings], name


@with_list_pages
@pytest.mark.django_db
def test_home_counts_only_the_children_the_user_may_see(client, world):
    client.force_login(world.lead)
    lead_cards = _cards(client.get(reverse("home")).content.decode())
    assert lead_cards["Roll"] == "2"
    assert lead_cards["My caseload"] == "2"  # both world children are allocated to the lead

    client.force_login(world.sw_a)
    assert _cards(client.get(reverse("home")).content.decode()) == {"My children": "1"}

    client.force_login(world.head)
    head_cards = _cards(client.get(reverse("home")).content.decode())
    assert head_cards["Roll"] == "2"
    assert head_cards["My caseload"] == "0"
    assert head_cards["Missing education"] == "0"


@with_list_pages
@pytest.mark.django_db
def test_navigation_marks_the_page_the_user_is_on(client, world):
    client.force_login(world.lead)
    html = client.get(reverse("home")).content.decode()

    assert re.search(r'href="/"\s+aria-current="page">\s*<strong', html)
    assert html.count('aria-current="page"') == 1


@pytest.mark.django_db
def test_every_page_is_council_branded_without_the_crown(client, world):
    client.force_login(world.head)
    for url in (reverse("home"), reverse("accessibility"), reverse("privacy"), reverse("password_change")):
        html = client.get(url).content.decode()
        assert "govuk-logo" not in html, url
        assert "govuk-header__logotype" not in html, url
        assert "crown" not in html.lower(), url
        assert "GDS Transport" not in html, url
        assert "Exemplar County Council" in html, url
        assert "Virtual School" in html, url


@pytest.mark.django_db
def test_header_shows_who_is_signed_in_and_a_sign_out_button(client, world):
    client.force_login(world.dt_a)
    html = client.get(reverse("home")).content.decode()

    assert world.dt_a.get_full_name() in html
    assert "Designated teacher" in html
    assert f'<form method="post" action="{reverse("logout")}"' in html
    assert ">Sign out</button>" in html


@pytest.mark.django_db
def test_a_missing_page_says_page_not_found_without_naming_anything(client, world):
    client.force_login(world.sw_b)
    response = client.get("/no-such-page/Ava-Testchild")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Ava" not in html
    assert "Testchild" not in html
