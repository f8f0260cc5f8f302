"""The audit log over the API (admins only: it names everyone and everything)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.models import AuditEntry
from hub.pagination import paginate


class AuditOut(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.CharField(source="actor_name")
    detail = serializers.JSONField()

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "action", "target_type", "target_id", "detail", "correlation_id"]


class AuditView(APIView):
    required_scopes = {"GET": "admin"}

    @extend_schema(operation_id="audit_list", responses=AuditOut(many=True))
    def get(self, request: Request) -> Response:
        return paginate(self, AuditEntry.objects.all(), AuditOut, ordering=("-at", "-id"))
