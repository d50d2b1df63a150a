import factory
from factory.django import DjangoModelFactory

from virtualschool.accounts.models import Role, User

factory.Faker._DEFAULT_LOCALE = "en_GB"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.uk")
    full_name = factory.Faker("name")
    role = Role.VIRTUAL_SCHOOL_LEAD
    password = factory.django.Password("correct horse battery staple")
    is_active = True
