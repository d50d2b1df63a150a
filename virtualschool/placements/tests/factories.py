import datetime as dt

import factory
from factory.django import DjangoModelFactory

from virtualschool.children.tests.factories import ChildFactory
from virtualschool.placements.models import EducationPlacement, SettingType
from virtualschool.schools.tests.factories import SchoolFactory


class EducationPlacementFactory(DjangoModelFactory):
    class Meta:
        model = EducationPlacement

    child = factory.SubFactory(ChildFactory)
    setting_type = SettingType.SCHOOL
    school = factory.SubFactory(SchoolFactory)
    start_date = dt.date(2024, 9, 4)
    hours_per_week = 32.5
    ofsted_rating_at_start = factory.LazyAttribute(lambda o: o.school.ofsted_rating if o.school else "")
