import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hudong.settings")
django_application = get_asgi_application()

# Oversize webhook bodies are refused before Django reads them, and the screen pop's identify
# is answered by its fast read when it can be (both need the apps loaded).
from hudong.customers.asgi import ScreenPop  # noqa: E402
from hudong.interactions.channels.webhooks.asgi import HookBodyLimit  # noqa: E402

application = ScreenPop(HookBodyLimit(django_application))
