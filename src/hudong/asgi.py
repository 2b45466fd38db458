import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hudong.settings")
django_application = get_asgi_application()

# Oversize webhook bodies are refused before Django reads them (needs the apps loaded).
from hudong.interactions.channels.webhooks.asgi import HookBodyLimit  # noqa: E402

application = HookBodyLimit(django_application)
