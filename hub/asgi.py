"""The ASGI entry point: HTTP through Django, websockets through Channels; the embedded worker starts here."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
django_asgi = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from flows.routing import websocket_urlpatterns  # noqa: E402
from flows.webhooks import asgi_app as webhooks_first  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Webhooks take their own lean path (flows/webhooks.py); every other request goes through Django.
        "http": webhooks_first(django_asgi),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

if settings.EMBEDDED and os.environ.get("SWITCHBOARD_EMBEDDED_WORKER", "1") == "1":
    from flows.scheduler import start_in_thread
    from hub.embedded import start_worker

    start_worker()
    start_in_thread()
