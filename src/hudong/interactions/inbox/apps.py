from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "hudong.interactions.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from hudong.core import audit, scoping
        from hudong.core.models import Profile
        from hudong.interactions.inbox import models, routing, tasks  # noqa: F401  (registries)

        # Who may see which agents' presence and measures: data, like every other rule. By
        # default an agent sees themselves, a supervisor the agents of their region.
        scoping.register(
            "agent_metrics",
            Profile,
            region_path="region",
            owner_path="user",
            policy={"agent": "own", "supervisor": "region", "analyst": "all", "admin": "all"},
        )
        audit.track(models.Transfer)
        audit.track(models.AgentPresence)
