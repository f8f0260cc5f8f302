"""Node types and the expression language over the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.problems import ErrorItem, ValidationProblem
from nodes import expressions, registry


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
    @extend_schema(operation_id="logic_evaluate", request=LogicRule, responses=LogicOut)
    def post(self, request: Request) -> Response:
        serializer = LogicRule(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = expressions.apply(serializer.validated_data["rule"], serializer.validated_data["data"])
        except expressions.ExpressionError as error:
            raise ValidationProblem([ErrorItem(field="rule", message=str(error))]) from error
        return Response({"result": result})
