"""factory-boy factories for the shared domain model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from hudong.commerce import models as commerce
from hudong.core.models import Profile, Region, Role, Team
from hudong.customers import models as customers

PASSWORD = "correct-horse-battery"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"r{n}")
    name = factory.LazyAttribute(lambda o: f"Region {o.code}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"team-{n}")
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


def make_user(
    role: str = Role.AGENT,
    region: Region | None = None,
    *,
    superuser: bool = False,
    username: str | None = None,
    team: Team | None = None,
):  # type: ignore[no-untyped-def]
    """A user with a Hudong profile: the shape every permission test needs."""
    kwargs = {"username": username} if username else {}
    user = UserFactory(is_superuser=superuser, is_staff=superuser, **kwargs)
    Profile.objects.update_or_create(
        user=user, defaults={"role": role, "region": region, "team": team}
    )
    return user


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = customers.Customer

    name = factory.Sequence(lambda n: f"客户{n}")
    name_latin = factory.Sequence(lambda n: f"Customer {n}")
    region = factory.SubFactory(RegionFactory)
    credit_limit = Decimal("5000.00")


class IdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = customers.Identifier

    customer = factory.SubFactory(CustomerFactory)
    kind = "phone"
    value = factory.Sequence(lambda n: f"138{n:08d}")
    normalized = factory.LazyAttribute(lambda o: f"+86{o.value}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = commerce.Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = commerce.Product

    sku = factory.Sequence(lambda n: f"SKU{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("99.00")
    unit_cost = Decimal("60.00")


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = commerce.Carrier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"carrier{n}")
    name = factory.LazyAttribute(lambda o: o.code.upper())


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = commerce.Order

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"SO{n:08d}")
    total = Decimal("199.00")
    ordered_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = commerce.Shipment

    order = factory.SubFactory(OrderFactory)
    carrier = factory.SubFactory(CarrierFactory)
    tracking_number = factory.Sequence(lambda n: f"TN{n:010d}")
    status = "in_transit"
    shipped_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    promised_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = commerce.Invoice

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"INV{n:08d}")
    amount = Decimal("199.00")
    due_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
