"""The identity REST API under /api/v1/: who is signed in, people, teams, tokens."""

from django.urls import URLPattern, path

from identity.api import MeView

urlpatterns: list[URLPattern] = [
    path("me", MeView.as_view()),
]
