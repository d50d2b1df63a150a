"""The GOV.UK date input and the child form read what people type, and say what to fix when they cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from virtualschool.children.forms import ChildForm, GovUKDateField


class _DateForm(forms.Form):
    day = GovUKDateField(label="Date", what="the date", required=True)


def _bound(day: str, month: str, year: str) -> _DateForm:
    return _DateForm({"day_0": day, "day_1": month, "day_2": year})


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_real_date_typed_as_day_month_year_is_read_back(day):
    form = _bound(str(day.day), str(day.month), str(day.year))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == day


# Null characters cannot come from a keyboard; Django rejects them with its own message.
TYPED = st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=6)


@given(TYPED, TYPED, TYPED)
def test_anything_typed_is_either_a_date_or_an_error_that_names_the_date(day, month, year):
    form = _bound(day, month, year)
    if form.is_valid():
        assert isinstance(form.cleaned_data["day"], dt.date)
    else:
        assert all("date" in message for message in form.errors["day"])


def test_an_impossible_date_says_it_must_be_real():
    form = _bound("31", "2", "2024")
    assert not form.is_valid()
    assert form.errors["day"] == ["The date must be a real date, for example 27 3 2019"]


def test_a_two_digit_year_asks_for_four_digits():
    form = _bound("3", "4", "24")
    assert form.errors["day"] == ["The year of the date must have four digits, for example 2019"]


def test_a_missing_part_names_the_part():
    form = _bound("3", "", "2024")
    assert form.errors["day"] == ["The date must include a month"]


@pytest.mark.django_db
def test_child_form_reads_a_upn_typed_with_spaces_and_lower_case():
    form = ChildForm({"upn": "a123 4567 89012"})
    form.is_valid()
    assert "upn" not in form.errors
    assert form.cleaned_data["upn"] == "A123456789012"
