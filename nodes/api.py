"""Node types, the expression language and connections over the API.

Anyone who may read flows may read these (the editor needs them); connections are shared by every
flow, so only admins make or remove them for now.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.pagination import paginate
from hub.problems import ErrorItem, ValidationProblem
from nodes import expressions, registry, selectors, services
from nodes.models import Connection


class NodeTypeOut(serializers.Serializer[Any]):
    type = serializers.CharField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=["trigger", "transform", "action"])
    description = serializers.CharField()
    config_schema = serializers.JSONField(help_text="JSON Schema (2020-12) of the node's config.")
    ports = serializers.ListField(child=serializers.CharField(), help_text="Output ports.")
    inputs = serializers.ListField(
        child=serializers.CharField(), help_text="Input ports (none for triggers)."
    )


class NodeTypesView(APIView):
    required_scopes = {"GET": "flows:read"}

    @extend_schema(operation_id="node_types_list", responses=NodeTypeOut(many=True))
    def get(self, request: Request) -> Response:
        return Response([t.describe() for t in registry.registry.all()])


class LogicRule(serializers.Serializer[Any]):
    rule = serializers.JSONField(allow_null=True, help_text="A JsonLogic rule.")
    data = serializers.JSONField(  # type: ignore[assignment]  # the field is named `data` in the contract
        required=False, default=None, allow_null=True
    )


LogicOut = inline_serializer(name="LogicResult", fields={"result": serializers.JSONField(allow_null=True)})


class LogicEvaluateView(APIView):
    required_scopes = {"POST": "flows:read"}  # evaluates; stores nothing

    @extend_schema(operation_id="logic_evaluate", request=LogicRule, responses=LogicOut)
    def post(self, request: Request) -> Response:
        serializer = LogicRule(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = expressions.apply(serializer.validated_data["rule"], serializer.validated_data["data"])
        except expressions.ExpressionError as error:
            raise ValidationProblem([ErrorItem(field="rule", message=str(error))]) from error
        return Response({"result": result})


class ConnectionOut(serializers.ModelSerializer[Connection]):
    class Meta:
        model = Connection
        fields = ["id", "name", "kind", "fingerprint", "created_at", "updated_at"]


class ConnectionCreate(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Connection.Kind.choices)
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=4096,
        help_text="Leave out to have a new whsec_… secret made (shown once).",
    )


class ConnectionCreated(ConnectionOut):
    secret = serializers.CharField(allow_null=True, help_text="The secret made for you, shown this once.")

    class Meta(ConnectionOut.Meta):
        fields = [*ConnectionOut.Meta.fields, "secret"]


class ConnectionsView(APIView):
    required_scopes = {"GET": "flows:read", "POST": "admin"}

    @extend_schema(operation_id="connections_list", responses=ConnectionOut(many=True))
    def get(self, request: Request) -> Response:
        return paginate(self, Connection.objects.all(), ConnectionOut)

    @extend_schema(
        operation_id="connections_create", request=ConnectionCreate, responses={201: ConnectionCreated}
    )
    def post(self, request: Request) -> Response:
        serializer = ConnectionCreate(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        connection, made = services.connection_create(
            user=request.user, name=data["name"], kind=data["kind"], secret=data.get("secret") or None
        )
        return Response({**ConnectionOut(connection).data, "secret": made}, status=201)


class ConnectionView(APIView):
    required_scopes = {"GET": "flows:read", "DELETE": "admin"}

    @extend_schema(operation_id="connections_read", responses=ConnectionOut)
    def get(self, request: Request, connection_id: Any) -> Response:
        return Response(ConnectionOut(selectors.connection_get(connection_id)).data)

    @extend_schema(operation_id="connections_delete", responses={204: None})
    def delete(self, request: Request, connection_id: Any) -> Response:
        services.connection_delete(user=request.user, connection=selectors.connection_get(connection_id))
        return Response(status=204)
