"""The customer record that every channel and every later area lands on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.core.models import Region
from hudong.customers.names import search_keys


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class Customer(models.Model):
    """A person or an organization. A person may be a contact of an organization."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    name_latin = models.CharField(_("name in Latin letters"), max_length=200, blank=True)
    gender = models.CharField(
        _("gender"),
        max_length=1,
        blank=True,
        choices=[("f", _("Female")), ("m", _("Male")), ("x", _("Other"))],
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="customers", verbose_name=_("region")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("owner"),
    )
    organization = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        limit_choices_to={"kind": CustomerKind.ORGANIZATION},
        verbose_name=_("organization"),
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, default=0
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    source = models.CharField(_("source"), max_length=50, blank=True)
    is_target_account = models.BooleanField(_("target account"), default=False)
    # Search keys kept in step with the name by save(): traditional folded to simplified,
    # case and spacing removed; and the toneless pinyin, so "zhangwei" finds 张伟 and 張偉.
    name_key = models.CharField(_("name key"), max_length=200, blank=True, db_index=True)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=300, blank=True, db_index=True)
    # A record merged into another stays (so the merge can be undone) but leaves every list.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["region", "id"]), models.Index(fields=["owner"])]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key, self.name_pinyin = search_keys(self.name, self.name_latin)
        fields = kwargs.get("update_fields")
        if fields is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "name_key", "name_pinyin"}
        super().save(*args, **kwargs)


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat id")
    LOYALTY = "loyalty", _("Loyalty card")
    ERP = "erp", _("ERP id")


class Identifier(models.Model):
    """A way to recognise a customer. A normalised value belongs to one customer unless shared
    (a household or switchboard number), which never identifies anyone on its own."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(_("value as entered"), max_length=200)
    normalized = models.CharField(_("normalised value"), max_length=200)
    is_shared = models.BooleanField(_("shared"), default=False)
    is_primary = models.BooleanField(_("primary"), default=False)
    source = models.CharField(_("source"), max_length=50, blank=True)
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "normalized"],
                condition=models.Q(is_shared=False),
                name="identifier_unique_unless_shared",
            )
        ]
        indexes = [models.Index(fields=["kind", "normalized"])]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class AddressKind(models.TextChoices):
    HOME = "home", pgettext_lazy("address kind", "Home")
    WORK = "work", pgettext_lazy("address kind", "Work")
    SHIPPING = "shipping", pgettext_lazy("address kind", "Shipping")
    BILLING = "billing", pgettext_lazy("address kind", "Billing")


class Address(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("customer")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AddressKind.choices, default=AddressKind.HOME
    )
    country = models.CharField(_("country"), max_length=2, default="CN")
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    source = models.CharField(_("source"), max_length=50, blank=True)
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district, self.street) if p)


class AttributeCategory(models.TextChoices):
    HABIT = "habit", _("Habit")
    HOBBY = "hobby", _("Hobby")
    PREFERENCE = "preference", _("Preference")
    CUSTOM = "custom", _("Custom")


class Attribute(models.Model):
    """Free knowledge about a customer, with where it came from and when it was last true."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("customer")
    )
    category = models.CharField(
        _("category"), max_length=12, choices=AttributeCategory.choices, default="custom"
    )
    key = models.CharField(_("key"), max_length=100)
    value = models.TextField(_("value"))
    source = models.CharField(_("source"), max_length=50, blank=True)
    verified_at = models.DateTimeField(_("last verified"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="attribute_one_per_key")
        ]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
