"""The ASGI entry point: HTTP through Django, websockets through Channels; the embedded worker starts here."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
django_asgi = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi})

if settings.EMBEDDED and os.environ.get("SWITCHBOARD_EMBEDDED_WORKER", "1") == "1":
    from flows.scheduler import start_in_thread
    from hub.embedded import start_worker

    start_worker()
    start_in_thread()
