import factory
from factory.django import DjangoModelFactory

from virtualschool.schools.models import OfstedRating, School, SchoolStaff


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("urn",)

    urn = factory.Sequence(lambda n: 100000 + n)
    la_code = "999"
    establishment_number = factory.Sequence(lambda n: f"{2000 + n % 8000:04d}")
    name = factory.Sequence(lambda n: f"Fernbrook Academy {n}")
    type_name = "Academy converter"
    phase = "Secondary"
    status = "Open"
    postcode = "ZZ1 1ZZ"
    ofsted_rating = OfstedRating.GOOD


class SchoolStaffFactory(DjangoModelFactory):
    class Meta:
        model = SchoolStaff

    user = factory.SubFactory("virtualschool.accounts.tests.factories.UserFactory", role="dt")
    school = factory.SubFactory(SchoolFactory)
    is_designated_teacher = True
