"""Event subscriptions over the API (admins only): endpoints, their delivery logs, replays and sample
events; and the AsyncAPI document that describes the events themselves.

Every method of every view needs the `admin` scope (event subscriptions are settings of the whole
instance), checked by the API's permission class from the settings: hub names scopes only, as it may
not import identity."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub import events
from hub.models import EventDelivery, EventDeliveryStatus, EventEndpoint
from hub.pagination import paginate
from hub.problems import ErrorItem, ValidationProblem
from hub.request_body import validated_body

ASYNCAPI_PATH = Path(__file__).resolve().parent / "asyncapi.yaml"


# --- serializers ----------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": list(events.EVENT_TYPES)})
class EventTypeField(serializers.CharField):
    """An event type. Checked by the service, so that an unknown one is named with the ones there are."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=64, **kwargs)


class EventEndpointOut(serializers.ModelSerializer[EventEndpoint]):
    event_types = serializers.ListField(child=EventTypeField())
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    secret_fingerprint = serializers.CharField(
        help_text="A short tag telling which signing secret is in use (never the secret)."
    )
    # Annotated by events.event_endpoint_list().
    last_delivery_status = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The latest delivery's status: pending, succeeded or failed.",
    )
    last_delivery_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = EventEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "active",
            "secret_fingerprint",
            "created_by",
            "created_at",
            "last_delivery_status",
            "last_delivery_at",
        ]


class EventEndpointCreated(EventEndpointOut):
    secret = serializers.SerializerMethodField(
        help_text="whsec_… — the signing secret, shown this once (Standard Webhooks)."
    )

    class Meta(EventEndpointOut.Meta):
        fields = [*EventEndpointOut.Meta.fields, "secret"]

    def get_secret(self, endpoint: EventEndpoint) -> str:
        return str(self.context["secret"])


class EventEndpointCreate(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=2048, help_text="https:// (or http://) address of the receiver.")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    event_types = serializers.ListField(child=EventTypeField(), max_length=len(events.EVENT_TYPES) * 4)


class EventEndpointChange(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=2048, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    event_types = serializers.ListField(
        child=EventTypeField(), required=False, max_length=len(events.EVENT_TYPES) * 4
    )
    active = serializers.BooleanField(required=False)


class EventAttempt(serializers.Serializer[Any]):
    attempt = serializers.IntegerField()
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True, help_text="null when no answer came.")
    error = serializers.CharField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    replay = serializers.IntegerField(
        default=0, help_text="0 for the first round of attempts, then 1 per replay."
    )


class EventDeliveryOut(serializers.ModelSerializer[EventDelivery]):
    payload = serializers.JSONField(help_text='The body sent: {"type", "timestamp", "data"}.')
    attempt_log = EventAttempt(many=True, read_only=True)
    event_type = serializers.CharField(help_text="One of the event types of /api/asyncapi.yaml.")

    class Meta:
        model = EventDelivery
        fields = [
            "id",
            "endpoint",
            "event_type",
            "webhook_id",
            "status",
            "attempts",
            "attempt_log",
            "error",
            "replays",
            "correlation_id",
            "payload",
            "next_attempt_at",
            "created_at",
            "delivered_at",
        ]


class EventTest(serializers.Serializer[Any]):
    type = serializers.CharField(max_length=64, help_text="The event type of the sample (run.failed, …).")


# --- views ----------------------------------------------------------------------------------------


class EventEndpointsView(APIView):
    required_scopes = {"GET": "admin", "POST": "admin"}

    @extend_schema(operation_id="event_endpoints_list", responses=EventEndpointOut(many=True))
    def get(self, request: Request) -> Response:
        return paginate(self, events.event_endpoint_list(), EventEndpointOut, ordering=("-created_at", "-id"))

    @extend_schema(
        operation_id="event_endpoints_create",
        request=EventEndpointCreate,
        responses={201: EventEndpointCreated},
        description="Register an endpoint for platform events. The answer holds its signing secret, "
        "shown this once.",
    )
    def post(self, request: Request) -> Response:
        data = validated_body(EventEndpointCreate, request)
        endpoint, secret = events.event_endpoint_create(
            user=request.user,
            url=data["url"],
            event_types=data["event_types"],
            description=data["description"],
        )
        endpoint = events.event_endpoint_get(endpoint.pk)
        return Response(
            EventEndpointCreated(endpoint, context={"secret": secret}).data, status=status.HTTP_201_CREATED
        )


class EventEndpointView(APIView):
    required_scopes = {"GET": "admin", "PATCH": "admin", "DELETE": "admin"}

    @extend_schema(operation_id="event_endpoints_read", responses=EventEndpointOut)
    def get(self, request: Request, endpoint_id: Any) -> Response:
        return Response(EventEndpointOut(events.event_endpoint_get(endpoint_id)).data)

    @extend_schema(
        operation_id="event_endpoints_update", request=EventEndpointChange, responses=EventEndpointOut
    )
    def patch(self, request: Request, endpoint_id: Any) -> Response:
        endpoint = events.event_endpoint_get(endpoint_id)
        data = validated_body(EventEndpointChange, request)
        events.event_endpoint_update(endpoint=endpoint, user=request.user, **data)
        return Response(EventEndpointOut(events.event_endpoint_get(endpoint_id)).data)

    @extend_schema(operation_id="event_endpoints_delete", responses={204: None})
    def delete(self, request: Request, endpoint_id: Any) -> Response:
        events.event_endpoint_delete(endpoint=events.event_endpoint_get(endpoint_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventEndpointSecretView(APIView):
    required_scopes = {"POST": "admin"}

    @extend_schema(
        operation_id="event_endpoints_rotate_secret",
        request=None,
        responses={
            201: {
                "type": "object",
                "required": ["secret"],
                "properties": {
                    "secret": {
                        "type": "string",
                        "description": "whsec_… — shown this once; the one before signs too for 24 h.",
                    }
                },
            }
        },
    )
    def post(self, request: Request, endpoint_id: Any) -> Response:
        endpoint = events.event_endpoint_get(endpoint_id)
        secret = events.event_endpoint_secret_rotate(endpoint=endpoint, user=request.user)
        return Response({"secret": secret}, status=status.HTTP_201_CREATED)


class EventDeliveriesView(APIView):
    required_scopes = {"GET": "admin"}

    @extend_schema(
        operation_id="event_deliveries_list",
        parameters=[OpenApiParameter("status", str, enum=[s.value for s in EventDeliveryStatus])],
        responses=EventDeliveryOut(many=True),
    )
    def get(self, request: Request, endpoint_id: Any) -> Response:
        endpoint = events.event_endpoint_get(endpoint_id)
        wanted = request.query_params.get("status")
        if wanted and wanted not in EventDeliveryStatus.values:
            raise ValidationProblem(
                [
                    ErrorItem(
                        field="status", message=f"`status` is one of {', '.join(EventDeliveryStatus.values)}."
                    )
                ]
            )
        deliveries = events.event_delivery_list(endpoint, status=wanted or None)
        return paginate(self, deliveries, EventDeliveryOut, ordering=("-created_at", "-id"))


class EventEndpointTestView(APIView):
    required_scopes = {"POST": "admin"}

    @extend_schema(
        operation_id="event_endpoints_test",
        request=EventTest,
        responses={201: EventDeliveryOut},
        description='Send a sample event of the chosen type to the endpoint now (`"sample": true` in the '
        "body), whether or not it is active or subscribed to that type.",
    )
    def post(self, request: Request, endpoint_id: Any) -> Response:
        endpoint = events.event_endpoint_get(endpoint_id)
        event_type = validated_body(EventTest, request)["type"]
        delivery = events.event_endpoint_test(endpoint=endpoint, user=request.user, event_type=event_type)
        return Response(EventDeliveryOut(delivery).data, status=status.HTTP_201_CREATED)


class EventDeliveryReplayView(APIView):
    required_scopes = {"POST": "admin"}

    @extend_schema(
        operation_id="event_deliveries_replay",
        request=None,
        responses={202: EventDeliveryOut},
        description="Send the same delivery again, with the same webhook-id, and a fresh budget of attempts. "
        "409 while an attempt runs or a retry is scheduled.",
    )
    def post(self, request: Request, delivery_id: Any) -> Response:
        delivery = events.event_delivery_replay(
            delivery=events.event_delivery_get(delivery_id), user=request.user
        )
        return Response(EventDeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)


# --- the AsyncAPI document ------------------------------------------------------------------------


@cache
def _asyncapi_text() -> str:
    return ASYNCAPI_PATH.read_text(encoding="utf-8")


@require_safe
def asyncapi_document(request: HttpRequest) -> HttpResponse:
    """The AsyncAPI 3 document of the events Switchboard sends and the webhooks it receives (public, as
    /api/schema/ is)."""
    return HttpResponse(_asyncapi_text(), content_type="application/yaml; charset=utf-8")
