"""Who may call `/scim/v2/`: a bearer token with the `scim` scope, unexpired, unrevoked, whose owner is
active (`manage.py scimtoken` makes one). Browser sessions and other tokens are refused with a 401
SCIM error document.

This is django-scim2's AUTH_CHECK_MIDDLEWARE: it wraps each SCIM view's dispatch. The token checks are
the REST API's own (`BearerTokenAuthentication`), so revoking a token works the same everywhere.
"""

from __future__ import annotations

import json
import math

from django.http import HttpRequest, HttpResponse
from django_scim.middleware import SCIMAuthCheckMiddleware
from rest_framework.exceptions import AuthenticationFailed

from hub.ratelimit import api_hit, token_caller
from identity.authentication import BearerTokenAuthentication
from identity.models import Scope
from identity.scim.errors import ScimError, TooManyRequests, Unauthorized
from identity.selectors import request_may

CONTENT_TYPE = "application/scim+json"
WWW_AUTHENTICATE = 'Bearer realm="scim"'


def error_response(error: ScimError) -> HttpResponse:
    response = HttpResponse(json.dumps(error.to_dict()), status=error.status, content_type=CONTENT_TYPE)
    if error.status == 401:
        response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


class ScimBearerAuth(SCIMAuthCheckMiddleware):  # type: ignore[misc]
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            found = BearerTokenAuthentication().authenticate(request)  # type: ignore[arg-type]
        except AuthenticationFailed as exc:
            return error_response(Unauthorized(str(exc.detail)))
        if found is None:
            return error_response(Unauthorized("SCIM requests carry `Authorization: Bearer <token>`."))
        user, token = found
        if not request_may(user, token, Scope.SCIM):
            return error_response(Unauthorized("This token does not have the `scim` scope."))
        # The REST API's per-token limit, so a runaway provider cannot starve the instance.
        if wait := api_hit(token_caller(token.digest)):
            response = error_response(TooManyRequests("Too many SCIM requests with this token; slow down."))
            response["Retry-After"] = str(math.ceil(wait))
            return response
        request.user = user
        request.scim_token = token  # type: ignore[attr-defined]
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # django-scim2 would log every request and response body here; they hold personal data.
        return response
