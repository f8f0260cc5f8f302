"""Cursor pagination answering `{"results": [...], "next": url|null}` (CONTRACT §3)."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class NewestFirst(CursorPagination):
    page_size = 50
    max_page_size = 500
    page_size_query_param = "limit"
    ordering = ("-created_at", "-pk")

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"results": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
            },
        }


def paginate(
    view: Any,
    queryset: Any,
    serializer_class: Any,
    *,
    ordering: tuple[str, ...] | None = None,
    context: dict[str, Any] | None = None,
) -> Response:
    paginator = NewestFirst()
    if ordering:
        paginator.ordering = ordering  # type: ignore[assignment]
    page: Any = paginator.paginate_queryset(queryset, view.request, view=view)
    data = serializer_class(page, many=True, context=context or {"request": view.request}).data
    return paginator.get_paginated_response(data)
