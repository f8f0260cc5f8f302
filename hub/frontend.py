"""Serves the built browser app's index.html for every browser route."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie


@login_required
@ensure_csrf_cookie  # the app reads the cookie to send X-CSRFToken with its writes
@never_cache  # a new build must reach the browser at once; the hashed assets are cached instead
def index(request: HttpRequest) -> HttpResponse:
    built = settings.FRONTEND_DIST / "index.html"
    if built.exists():
        return HttpResponse(built.read_text(), content_type="text/html")
    return render(request, "frontend_missing.html", status=200)
