import datetime as dt

import factory
from factory.django import DjangoModelFactory

from virtualschool.children.models import CareEpisode, Child, Cohort, Gender, SdqScore, SenStatus


class ChildFactory(DjangoModelFactory):
    """A synthetic child (Faker names; never a real child)."""

    class Meta:
        model = Child

    cohort = Cohort.LOOKED_AFTER
    social_care_reference = factory.Sequence(lambda n: f"SC{700000 + n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    gender = Gender.UNKNOWN
    date_of_birth = dt.date(2014, 3, 14)
    upn = ""
    sen_status = SenStatus.NONE
    period_of_care_start = dt.date(2024, 1, 8)
    date_first_entered_care = dt.date(2024, 1, 8)
    care_status_received_on = dt.date(2024, 1, 8)
    added_to_roll_on = dt.date(2024, 1, 9)


class CareEpisodeFactory(DjangoModelFactory):
    class Meta:
        model = CareEpisode

    child = factory.SubFactory(ChildFactory)
    start_date = dt.date(2024, 1, 8)
    reason_new_episode = "S"
    legal_status = "C2"
    category_of_need = "N1"
    placement_type = "U1"


class SdqScoreFactory(DjangoModelFactory):
    """An SDQ total alone, as the SSDA903 return gives it (questionnaires are recorded through sdq_record)."""

    class Meta:
        model = SdqScore

    child = factory.SubFactory(ChildFactory)
    recorded_on = dt.date(2025, 3, 31)
    respondent = SdqScore.Respondent.CARER
    total_score = 12
    source = "SSDA903 OC2"
