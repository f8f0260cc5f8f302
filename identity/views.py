"""Signing in and out in the browser: the sign-in page (a password, and OpenID Connect where configured),
the OIDC start and callback around social-auth's own views, and sign-out, which also ends the
provider's session where it offers RP-initiated logout. Every sign-in and sign-out is audited here.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from social_core.exceptions import SocialAuthBaseException
from social_django import views as social_views
from social_django.utils import load_backend, load_strategy

from hub import audit
from hub.correlation import request_ip
from identity.oidc import SignInRefused

log = logging.getLogger(__name__)

OIDC_BACKEND = "social_core.backends.open_id_connect.OpenIdConnectAuth"
# The raw ID token of an OIDC sign-in, kept for sign-out's `id_token_hint`.
ID_TOKEN_SESSION_KEY = "oidc_id_token"
# After sign-out: the provider's end-session URL this browser still has to visit.
PROVIDER_LOGOUT_SESSION_KEY = "oidc_provider_logout_url"


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def sign_in_method(request: HttpRequest) -> str:
    return "oidc" if request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND else "password"


class SignInForm(AuthenticationForm):
    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if getattr(user, "is_service_account", False):
            raise ValidationError(
                "Service accounts cannot sign in; they use API tokens.", code="service_account"
            )


class SignInView(LoginView):
    """`/login/`: the OpenID provider's button and, unless `PASSWORD_LOGIN` is off, the password form."""

    template_name = "login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        # `?next=/login/` would send a signed-in person back here, round and round.
        url = super().get_success_url()
        return str(settings.LOGIN_REDIRECT_URL) if url.split("?")[0] == self.request.path else url

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Back from the provider's sign-out (or never went): nothing is left to do there.
        request.session.pop(PROVIDER_LOGOUT_SESSION_KEY, None)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_name"] = settings.OIDC_NAME if oidc_enabled() else ""
        context["password_login"] = settings.PASSWORD_LOGIN
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_LOGIN:
            # The backend that checks passwords is not even loaded; say so rather than "wrong password".
            context = self.get_context_data(
                refused=f"Password sign-in is turned off. Sign in with {settings.OIDC_NAME}."
            )
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # A failed password is security-relevant (guessing shows up here); the password never is.
        username = str(form.data.get("username", ""))[:150]
        audit.record(
            actor=None,
            action="auth.sign_in_failed",
            target_type="user",
            target_id=username or "-",
            username=username,
            method="password",
            ip=request_ip(self.request),
            reason="; ".join(str(e) for e in form.non_field_errors()) or "incomplete form",
        )
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        audit.record(
            actor=user,
            action="auth.signed_in",
            target_type="user",
            target_id=user.pk,
            method="password",
            ip=request_ip(self.request),
        )
        return response


def _back_to_sign_in(request: HttpRequest, error: SocialAuthBaseException) -> HttpResponse:
    if isinstance(error, SignInRefused):
        text = str(error)
    elif error.claim == "groups" and error.code == "invalid_claim":
        text = (
            f"Sign-in with {settings.OIDC_NAME} did not work: the provider sent too many groups to list "
            "in the sign-in. Ask an administrator to send only the groups assigned to Switchboard."
        )
    else:
        text = f"Sign-in with {settings.OIDC_NAME} did not work: {error}"
    log.warning(
        "OIDC sign-in failed: code=%s stage=%s claim=%s detail=%s",
        error.code,
        error.stage,
        error.claim,
        error.detail,
    )
    messages.error(request, text)
    return redirect(settings.LOGIN_URL)


@require_POST
def oidc_begin(request: HttpRequest, backend: str) -> HttpResponseBase:
    """`POST /login/oidc/` (with the CSRF token and `next`): off to the provider, with PKCE and a nonce."""
    if not oidc_enabled():
        raise Http404
    if request.user.is_authenticated:
        # Signing in as someone (else) starts from no session: an OIDC sign-in never attaches itself to
        # whoever happened to be signed in.
        _end_session(request)
    try:
        return social_views.auth(request, backend)
    except SocialAuthBaseException as error:
        return _back_to_sign_in(request, error)


@csrf_exempt  # the provider's redirect (or form_post) carries state, checked against the session instead
@never_cache
def oidc_complete(request: HttpRequest, backend: str) -> HttpResponseBase:
    """`/complete/oidc/`: the provider's answer. social-auth validates it (state, PKCE, the ID token's
    signature, issuer, audience, nonce and age) and runs the pipeline in `identity.oidc`."""
    if not oidc_enabled():
        raise Http404
    before = request.user.pk if request.user.is_authenticated else None
    try:
        response = social_views.complete(request, backend)
    except SocialAuthBaseException as error:
        return _back_to_sign_in(request, error)
    user: Any = request.user
    if user.is_authenticated and user.pk != before:
        social = getattr(user, "social_user", None)
        id_token = (social.extra_data or {}).get("id_token") if social is not None else None
        if isinstance(id_token, str):
            request.session[ID_TOKEN_SESSION_KEY] = id_token
        audit.record(
            actor=user,
            action="auth.signed_in",
            target_type="user",
            target_id=user.pk,
            method="oidc",
            ip=request_ip(request),
        )
    return response


def _end_session(request: HttpRequest) -> None:
    user: Any = request.user
    if user.is_authenticated:
        audit.record(
            actor=user,
            action="auth.signed_out",
            target_type="user",
            target_id=user.pk,
            method=sign_in_method(request),
            ip=request_ip(request),
        )
    logout(request)


def provider_logout_url(request: HttpRequest, id_token: str | None) -> str | None:
    """The provider's `end_session_endpoint` (RP-initiated logout) with the way back to `/login/`, or
    None where the provider offers none or cannot be reached (the local session is over either way)."""
    try:
        backend = load_backend(load_strategy(request), "oidc", redirect_uri=None)
        endpoint = backend.oidc_config().get("end_session_endpoint")
    except SocialAuthBaseException as error:
        log.warning("the OpenID provider's discovery document could not be read for sign-out: %s", error)
        return None
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    params = {
        "client_id": settings.SOCIAL_AUTH_OIDC_KEY,
        # the same base as the redirect URI the provider knows: PUBLIC_URL behind a proxy
        "post_logout_redirect_uri": (
            settings.PUBLIC_URL + settings.LOGOUT_REDIRECT_URL
            if settings.PUBLIC_URL
            else request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    if id_token:
        params["id_token_hint"] = id_token
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


@require_http_methods(["GET", "POST"])
@never_cache
def sign_out(request: HttpRequest) -> HttpResponse:
    """`POST /logout/` ends the session, then, when the session came from the provider and it offers
    RP-initiated logout, goes on to `/logout/provider/`; else back to `/login/`. `GET` shows a button
    that does this (following a link must not sign anyone out)."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return render(request, "logout.html")
    via_oidc = sign_in_method(request) == "oidc"
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    _end_session(request)
    if via_oidc and oidc_enabled():
        url = provider_logout_url(request, id_token if isinstance(id_token, str) else None)
        if url:
            # Kept in the new, signed-out session: only this browser goes on to the provider with it.
            request.session[PROVIDER_LOGOUT_SESSION_KEY] = url
            return redirect("logout-provider")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_GET
@never_cache
def provider_sign_out(request: HttpRequest) -> HttpResponse:
    """`/logout/provider/`: a page that sends the browser on to the provider's end-session endpoint.

    A page rather than a redirect, so that sign-out works both from a form and from `fetch()`: fetch
    follows our same-origin redirect here (a cross-origin one would fail on CORS), and the app then
    navigates to where it ended up, this page, which takes the whole browser on to the provider."""
    url = request.session.get(PROVIDER_LOGOUT_SESSION_KEY)
    if not isinstance(url, str) or request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return render(request, "signing_out.html", {"provider_url": url, "oidc_name": settings.OIDC_NAME})
