from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hudong.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Import for their side effects: signal receivers and the schedule registry.
        from django.db.models.signals import post_migrate

        from hudong.core import audit, lockout, tasks  # noqa: F401

        post_migrate.connect(_seed_rules, sender=self)
        post_migrate.connect(_seed_calendar, sender=self)
        from django.db.models.signals import post_delete, post_save

        from hudong.core.models import AccessRule
        from hudong.core.scoping import forget_rules

        for signal in (post_save, post_delete):
            signal.connect(forget_rules, sender=AccessRule, dispatch_uid="access-rules")

        from hudong.core.models import BusinessCalendar, CalendarDay

        audit.track(BusinessCalendar)
        audit.track(CalendarDay)


def _seed_rules(sender: AppConfig, **kwargs: object) -> None:
    """A fresh database starts with the default access policy (admins may then edit it)."""
    from hudong.core.scoping import seed_default_rules

    seed_default_rules()


def _seed_calendar(sender: AppConfig, **kwargs: object) -> None:
    """A fresh database starts with a Monday-to-Friday calendar for mainland China; holidays
    and adjusted working days are entered or imported each year (official dates change)."""
    from hudong.core.models import BusinessCalendar

    if not BusinessCalendar.objects.exists():
        BusinessCalendar.objects.create(
            code="cn", name="中国大陆 (China mainland)", is_default=True
        )
