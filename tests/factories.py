"""factory-boy builders for the named cast and the registry."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from villages.models import (
    Cadre,
    CadrePosition,
    PartyOrganization,
    Profile,
    Role,
    SubDistrict,
    Term,
    Village,
    VillageAssignment,
)

PASSWORD = "correct-horse-battery"


class SubDistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubDistrict
        django_get_or_create = ("code",)

    code = "jinhu"
    name = "锦湖街道"


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    subdistrict = factory.SubFactory(SubDistrictFactory)
    code = factory.Sequence(lambda n: f"village-{n}")
    name = factory.Sequence(lambda n: f"测试{n}村")
    population = 2000
    households = 600
    duty_phone = "0571-88000001"


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    village = factory.SubFactory(VillageFactory)
    name = factory.LazyAttribute(lambda o: f"{o.village.name}党支部")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("number",)

    number = 12
    name = "第十二届"
    starts_on = dt.date(2026, 4, 10)
    ends_on = dt.date(2031, 4, 9)


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"干部{n}")
    gender = Cadre.Gender.MALE
    birth_date = dt.date(1975, 6, 1)
    education = Cadre.Education.COLLEGE
    office_phone = "0571-88000001"
    private_phone = "13900001111"


class CadrePositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CadrePosition

    cadre = factory.SubFactory(CadreFactory)
    village = factory.SelfAttribute("cadre.village")
    term = factory.SubFactory(TermFactory)
    title = CadrePosition.Title.PARTY_MEMBER
    starts_on = factory.SelfAttribute("term.starts_on")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_user(username: str, role: Role, *, villages=(), display_name: str = "", **extra):
    user = UserFactory(username=username, is_staff=role == Role.STAFF, **extra)
    Profile.objects.update_or_create(
        user=user, defaults={"role": role, "display_name": display_name or username}
    )
    for village in villages:
        VillageAssignment.objects.get_or_create(
            user=user, village=village, role=role if role != Role.STAFF else Role.INSTRUCTOR
        )
    return user
