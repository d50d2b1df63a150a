"""The shared GOV.UK template pieces: dates, yes/no, the error summary, pagination and error pages."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.core.templatetags.govuk import govuk_date, govuk_datetime, yesno_govuk

LONDON = ZoneInfo("Europe/London")


def render(source: str, **context: object) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


def test_dates_are_written_the_gov_uk_way():
    assert govuk_date(dt.date(2026, 11, 22)) == "22 November 2026"
    assert govuk_date(dt.date(2026, 1, 5)) == "5 January 2026"
    assert govuk_date(None) == "Not recorded"
    assert govuk_date(None, "Still open") == "Still open"


def test_a_moment_is_shown_in_london_time():
    # 23:30 UTC on 31 October is 23:30 GMT; 23:30 UTC on 30 June is 00:30 BST the next day.
    assert govuk_date(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == "1 July 2026"
    assert govuk_datetime(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == "1 July 2026 at 12:30am"
    assert govuk_datetime(dt.datetime(2026, 11, 22, 15, 5, tzinfo=LONDON)) == "22 November 2026 at 3:05pm"
    assert govuk_datetime(dt.datetime(2026, 11, 22, 12, 0, tzinfo=LONDON)) == "22 November 2026 at 12pm"
    assert govuk_datetime(None) == "Not recorded"


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_has_day_month_name_and_year(day):
    assert re.fullmatch(r"[1-9]\d? [A-Z][a-z]+ \d{4}", govuk_date(day))
    assert govuk_date(day) == f"{day.day} {day.strftime('%B')} {day.year}"


def test_yes_no_and_not_recorded():
    assert yesno_govuk(True) == "Yes"
    assert yesno_govuk(False) == "No"
    assert yesno_govuk(None) == "Not recorded"
    assert render("{{ v|yesno_govuk:'Unknown' }}", v=None) == "Unknown"
    assert render("{{ v|govuk_date }}", v=dt.date(2026, 11, 22)) == "22 November 2026"


class PlacementForm(forms.Form):
    school = forms.CharField(label="School", error_messages={"required": "Enter the school"})
    setting = forms.ChoiceField(
        choices=[("school", "School"), ("ap", "Alternative provision")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of setting"},
    )
    start = forms.SplitDateTimeField(required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("The placement overlaps another one")


def test_error_summary_lists_each_error_once_linked_to_the_input_to_fix():
    form = PlacementForm(data={"start_0": "not a date", "start_1": "10:00"})
    assert not form.is_valid()

    html = render_to_string("includes/error_summary.html", {"form": form})

    assert html.count('class="govuk-error-summary"') == 1
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html)
    assert links == [
        ("id_school", "The placement overlaps another one"),
        ("id_school", "Enter the school"),
        ("id_setting_1", "Select the kind of setting"),
        ("id_start_0", "Enter a valid date."),
    ]


def test_error_summary_is_absent_when_a_form_has_no_errors():
    assert "govuk-error-summary" not in render_to_string("includes/error_summary.html", {"form": PlacementForm()})
    assert "govuk-error-summary" not in render_to_string("includes/error_summary.html", {"form": None})


def _pagination(number: int, query: str = "") -> str:
    page = Paginator(list(range(200)), 10).page(number)
    request = RequestFactory().get("/children/" + query)
    return render_to_string("includes/pagination.html", {"page_obj": page}, request=request)


def test_pagination_keeps_the_filters_and_elides_distant_pages():
    html = _pagination(10, "?lead=3&q=smith&page=10")

    assert 'href="?lead=3&amp;q=smith&amp;page=9" rel="prev"' in html
    assert 'href="?lead=3&amp;q=smith&amp;page=11" rel="next"' in html
    numbers = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbers == ["1", "9", "10", "11", "20"]
    assert html.count("govuk-pagination__item--ellipses") == 2
    assert re.search(r'aria-label="Page 10" aria-current="page"', html)


def test_pagination_has_no_previous_link_on_the_first_page_and_none_at_all_for_one_page():
    first = _pagination(1)
    assert 'rel="prev"' not in first
    assert 'rel="next"' in first
    single = Paginator([1, 2], 10).page(1)
    assert (
        render_to_string("includes/pagination.html", {"page_obj": single}, request=RequestFactory().get("/")).strip()
        == ""
    )


def test_server_error_page_renders_without_a_request_and_names_the_service(settings):
    html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
    assert (
        f"<title>Sorry, there is a problem with the service – {settings.SERVICE_NAME} – {settings.COUNCIL_NAME}" in html
    )
    assert "Sign out" not in html


@pytest.mark.django_db
def test_accessibility_and_privacy_pages_are_public_and_linked_from_every_page(client):
    for name, heading in (("accessibility", "Accessibility statement"), ("privacy", "Privacy notice")):
        response = client.get(f"/{name}")
        assert response.status_code == 200
        html = response.content.decode()
        assert heading in html
        assert 'href="/accessibility"' in html
        assert 'href="/privacy"' in html
