"""Browser views of the nodes app (outside the API): the OAuth2 callback of a connection's authorization."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.views.decorators.http import require_GET

from nodes import services

log = logging.getLogger(__name__)

SETTINGS_PAGE = "/settings/connections"
MAX_PROVIDER_TEXT = 300


def _back(**query: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{SETTINGS_PAGE}?{urlencode(query)}")


@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponseRedirect:
    """Where the provider sends the browser back: `?code=&state=` (or `?error=`). Stores the tokens and
    returns to the connections page with `?authorized=<id>`, or `?error=<what went wrong>`."""
    state = request.GET.get("state", "")
    if error := request.GET.get("error"):
        # The provider's own words (the person refused, a wrong scope): shown as they are, shortened.
        description = request.GET.get("error_description", "")
        text = f"The provider refused the authorization: {error}" + (
            f" ({description})" if description else ""
        )
        return _back(error=text[:MAX_PROVIDER_TEXT])
    code = request.GET.get("code", "")
    if not state or not code:
        return _back(error="The provider sent the browser back without a code and state.")
    try:
        connection = services.connection_authorize_complete(state=state, code=code, user=request.user)
    except services.AuthorizationFailed as failed:
        log.info("a connection authorization failed: %s", failed)
        return _back(error=str(failed))
    return _back(authorized=str(connection.pk))
