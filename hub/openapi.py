"""Adds what DRF does not serve (webhooks, health) to the OpenAPI document, so it lists every interface."""

from __future__ import annotations

from typing import Any

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": PROBLEM}


def add_non_drf_paths(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = {
        "type": "object",
        "description": "An RFC 9457 problem document.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "correlation_id": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "node": {"type": "string", "nullable": True},
                        "field": {"type": "string", "nullable": True},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    }
    accepted = {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "run_id": {"type": "string", "format": "uuid"},
                    "correlation_id": {"type": "string"},
                },
            }
        }
    }
    result["paths"]["/hooks/{key}"] = {
        "post": {
            "operationId": "webhook_receive",
            "summary": "Deliver an event to a flow's webhook trigger",
            "tags": ["webhooks"],
            "security": [],
            "parameters": [
                {
                    "name": "key",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "The key in the flow's webhook_url.",
                },
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "schema": {"type": "string"},
                    "description": "A repeat with the same key (or webhook-id) starts nothing.",
                },
                {"name": "X-Correlation-ID", "in": "header", "schema": {"type": "string"}},
            ],
            "requestBody": {
                "content": {
                    "application/json": {"schema": {}},
                    "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                    "text/plain": {"schema": {"type": "string"}},
                }
            },
            "responses": {
                "202": {"description": "Stored and queued.", "content": accepted},
                "200": {
                    "description": "A repeat of an idempotency key (the first run), or with "
                    "respond: result, the flow's output."
                },
                "404": _problem("Unknown key, paused flow, or no live webhook version."),
                "413": _problem("The body is too large."),
                "415": _problem("The body is not JSON, a form or text."),
                "422": _problem("The idempotency key was used with another body."),
                "504": _problem("respond: result, and the run did not finish in time."),
            },
        }
    }
    health = {"type": "object", "properties": {"status": {"type": "string"}, "checks": {"type": "object"}}}
    result["paths"]["/healthz"] = {
        "get": {
            "operationId": "healthz",
            "tags": ["health"],
            "security": [],
            "summary": "The process is up",
            "responses": {"200": {"description": "Up.", "content": {"application/json": {"schema": health}}}},
        }
    }
    result["paths"]["/readyz"] = {
        "get": {
            "operationId": "readyz",
            "tags": ["health"],
            "security": [],
            "summary": "The database and the broker answer",
            "responses": {
                "200": {"description": "Ready.", "content": {"application/json": {"schema": health}}},
                "503": {
                    "description": "Not ready; `checks` names what failed.",
                    "content": {"application/json": {"schema": health}},
                },
            },
        }
    }
    return result
