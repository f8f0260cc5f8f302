"""Serves the built browser app's index.html for every browser route."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def index(request: HttpRequest) -> HttpResponse:
    built = settings.FRONTEND_DIST / "index.html"
    if built.exists():
        return HttpResponse(built.read_text(), content_type="text/html")
    return render(request, "frontend_missing.html", status=200)
