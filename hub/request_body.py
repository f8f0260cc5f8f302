"""Reading a request's JSON body through a DRF serializer: one way for every API view. A body that does
not fit raises DRF's ValidationError, which hub.problems turns into a problem naming each field."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def validated_body(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
