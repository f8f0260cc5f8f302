"""Who is signed in."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from identity.permissions import SIGNED_IN
from identity.selectors import user_roles

Me = inline_serializer(
    name="Me",
    fields={
        "username": serializers.CharField(),
        "email": serializers.EmailField(allow_blank=True),
        "roles": serializers.ListField(child=serializers.CharField()),
        "teams": serializers.ListField(child=serializers.CharField()),
    },
)


class MeView(APIView):
    required_scopes = {"GET": SIGNED_IN}

    @extend_schema(operation_id="me", responses=Me)
    def get(self, request: Request) -> Response:
        user: Any = request.user
        return Response(
            {
                "username": user.get_username(),
                "email": user.email,
                "roles": user_roles(user),
                "teams": sorted(user.teams.values_list("name", flat=True)),
            }
        )
