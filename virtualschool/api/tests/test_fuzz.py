"""Whatever a client sends, the API answers with a clear status and a JSON body, never a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

text = st.text(max_size=20)
query_value = st.one_of(text, st.integers(-(10**12), 10**12).map(str), st.sampled_from(["true", "false", ""]))
CHILD_FILTERS = ["upn", "reference", "q", "lead_id", "school_urn", "year_group", "legal_status", "in_area", "send",
                 "cohort", "status", "limit", "offset"]  # fmt: skip
json_value = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), text, st.floats(allow_nan=False))
PLACEMENT_FIELDS = ["child_id", "setting_type", "school_urn", "provider_name", "start_date", "end_date",
                    "hours_per_week", "ofsted_rating_at_start", "designated_teacher_id"]  # fmt: skip

fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.django_db
@fuzz
@given(params=st.dictionaries(st.sampled_from(CHILD_FILTERS), query_value, max_size=5))
def test_any_children_query_answers_200_or_422(world, api_as, params):
    response = api_as(world.lead).get("/children", **params)

    assert response.status_code in {200, 422}, response.content
    assert "detail" in response.json() or "items" in response.json()


@pytest.mark.django_db
@fuzz
@given(body=st.dictionaries(st.sampled_from(PLACEMENT_FIELDS), json_value, max_size=6))
def test_any_placement_body_answers_with_a_client_error_or_a_placement(world, api_as, body):
    response = api_as(world.lead).patch(f"/placements/{world.child_b.education_placements.first().pk}", body)

    assert response.status_code in {200, 404, 422}, response.content
