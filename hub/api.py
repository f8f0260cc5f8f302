"""The audit log over the API (admins only: it names everyone and everything): a filtered, paged list,
newest first, and the same filters exported as JSON Lines, oldest first, with the chain's hashes so an
auditor can verify the export offline."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.audit import canonical_time, entry_fields
from hub.models import AuditEntry
from hub.pagination import paginate
from hub.problems import ErrorItem, ValidationProblem

NDJSON = "application/x-ndjson"


class AuditOut(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.CharField(source="actor_name", help_text="The username, kept after the person goes.")
    actor_id = serializers.IntegerField(allow_null=True, help_text="The person's id; null for the system.")
    detail = serializers.JSONField(help_text="What the action changed; `before`/`after` where given.")

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "seq",
            "at",
            "actor",
            "actor_id",
            "ip",
            "action",
            "target_type",
            "target_id",
            "detail",
            "correlation_id",
        ]


class AuditFilters(serializers.Serializer[Any]):
    actor = serializers.CharField(required=False, help_text="A username, exactly.")
    action = serializers.CharField(
        required=False, help_text="Actions starting with this (`flow.` gives every flow action)."
    )
    target_type = serializers.CharField(required=False)
    target_id = serializers.CharField(required=False)
    since = serializers.DateTimeField(required=False, help_text="Entries at or after this time (ISO 8601).")
    until = serializers.DateTimeField(required=False, help_text="Entries before this time (ISO 8601).")
    correlation_id = serializers.CharField(required=False)


FILTER_PARAMETERS = [
    OpenApiParameter("actor", str, description="A username, exactly."),
    OpenApiParameter("action", str, description="Actions starting with this, e.g. `flow.`."),
    OpenApiParameter("target_type", str, description="`flow`, `version`, `user`, `token`, …"),
    OpenApiParameter("target_id", str),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="At or after this time (ISO 8601)."),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="Before this time (ISO 8601)."),
    OpenApiParameter("correlation_id", str, description="Everything one request or run did."),
]


def filtered(request: Request) -> QuerySet[AuditEntry]:
    """The entries the query's filters select; a malformed filter is a problem naming it."""
    form = AuditFilters(data=request.query_params.dict())
    if not form.is_valid():
        raise ValidationProblem(
            [ErrorItem(field=field, message=str(messages[0])) for field, messages in form.errors.items()]
        )
    data = form.validated_data
    since, until = data.get("since"), data.get("until")
    if since and until and since >= until:
        raise ValidationProblem([ErrorItem(field="until", message="`until` must be after `since`.")])
    entries = AuditEntry.objects.all()
    if "actor" in data:
        entries = entries.filter(actor_name=data["actor"])
    if "action" in data:
        entries = entries.filter(action__startswith=data["action"])
    for exact in ("target_type", "target_id", "correlation_id"):
        if exact in data:
            entries = entries.filter(**{exact: data[exact]})
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return entries


class AuditView(APIView):
    required_scopes = {"GET": "admin"}

    @extend_schema(
        operation_id="audit_list",
        responses=AuditOut(many=True),
        parameters=FILTER_PARAMETERS,
        description="The audit log, newest first, in cursor pages; the filters combine.",
    )
    def get(self, request: Request) -> Response:
        return paginate(self, filtered(request), AuditOut, ordering=("-seq",))


class NdjsonRenderer(BaseRenderer):
    """Lets a client ask for `application/x-ndjson`; an error then still arrives as one JSON line."""

    media_type = NDJSON
    format = "jsonl"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return (json.dumps(data, cls=DjangoJSONEncoder) + "\n").encode()


def export_line(entry: AuditEntry) -> str:
    """One entry with exactly the fields its hash is taken over (`at` in the hashed form), its `hash`,
    and `id` and `actor` for reading: `sha256` of the canonical JSON of the hashed fields is `hash`."""
    fields = entry_fields(entry)
    return (
        json.dumps(
            {"id": entry.pk, **fields, "at": canonical_time(entry.at), "actor": entry.actor_name},
            ensure_ascii=False,
        )
        + "\n"
    )


class AuditExportView(APIView):
    required_scopes = {"GET": "admin"}
    renderer_classes = [JSONRenderer, NdjsonRenderer]

    @extend_schema(
        operation_id="audit_export",
        parameters=FILTER_PARAMETERS,
        responses={(200, NDJSON): OpenApiResponse(OpenApiTypes.STR, description="One entry per line.")},
        description="The entries the filters select as JSON Lines, oldest first, each with `seq`, "
        "`prev_hash` and `hash`: without filters, the whole chain, to verify offline (SHA-256 over the "
        "canonical JSON of the entry; see the README).",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        entries = filtered(request)
        # Served by uvicorn (ASGI), a synchronous iterator would be read whole into memory first.
        asgi = isinstance(request._request, ASGIRequest)
        content = _lines_async(entries) if asgi else _lines(entries)
        response = StreamingHttpResponse(content, content_type=NDJSON)
        response["Content-Disposition"] = 'attachment; filename="switchboard-audit.jsonl"'
        return response


def _chunk(entries: QuerySet[AuditEntry], after: int, size: int = 1000) -> list[tuple[int, str]]:
    """The next entries after `seq`, oldest first (keyset pages: no long-held cursor)."""
    return [(entry.seq, export_line(entry)) for entry in entries.filter(seq__gt=after).order_by("seq")[:size]]


def _lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    after = 0
    while chunk := _chunk(entries, after):
        yield from (line for _, line in chunk)
        after = chunk[-1][0]


async def _lines_async(entries: QuerySet[AuditEntry]) -> AsyncIterator[str]:
    after = 0
    while chunk := await sync_to_async(_chunk)(entries, after):
        for _, line in chunk:
            yield line
        after = chunk[-1][0]
