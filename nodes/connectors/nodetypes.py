"""Connector operations as node types (`connector.<name>.<operationId>`), served to the registry.

A connector version never changes once imported, so its node types are compiled once per process and
kept; the registry only asks the database which versions exist. A node pins the version it was built
with (`config.version`): its config is validated, and its step run, with that version's operation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlencode

import jsonschema
from pydantic import Field

from nodes import outbound
from nodes.registry import Expression, NodeConfig, NodeError, NodeType

if TYPE_CHECKING:
    from nodes.context import NodeContext

PREFIX = "connector."


class ConnectorConfig(NodeConfig):
    """What every connector node takes; the JSON Schema shown is the operation's own (see openapi.py)."""

    version: int | None = Field(default=None, ge=1)
    connection: str | None = None
    server: str | None = None
    parameters: dict[str, Expression] = Field(default_factory=dict)
    body: Expression = None


def type_name(connector: str, operation_id: str) -> str:
    return f"{PREFIX}{connector}.{operation_id}"


def split_type_name(name: str) -> tuple[str, str] | None:
    """(connector, operation id) of a connector node type's name, or None when it is not one."""
    if not name.startswith(PREFIX):
        return None
    connector, _, operation_id = name[len(PREFIX) :].partition(".")
    return (connector, operation_id) if connector and operation_id else None


class ConnectorOperation(NodeType[ConnectorConfig]):
    """One operation of one connector version. Subclassed per operation (see `_compile`), because a node
    type's name, title and description are class attributes."""

    category = "action"
    Config = ConnectorConfig
    connector: ClassVar[str]
    number: ClassVar[int]
    operation: ClassVar[dict[str, Any]]
    schema: ClassVar[dict[str, Any]]

    def config_schema(self) -> dict[str, Any]:
        return self.schema

    # --- the pinned version decides ------------------------------------------------------------
    def pinned(self, version: Any) -> ConnectorOperation | None:
        """This operation as the version a config names (None: that version, or the operation in it,
        does not exist)."""
        if version is None or version == self.number:
            return self
        if not isinstance(version, int) or isinstance(version, bool):
            return None
        return provider.operation_type(self.connector, version, self.operation["operation_id"])

    def validate_config(self, config: Any) -> list[tuple[str | None, str]]:
        version = config.get("version") if isinstance(config, Mapping) else None
        if isinstance(version, int) and not isinstance(version, bool) and version != self.number:
            other = self.pinned(version)
            if other is None:
                return [
                    (
                        "version",
                        f"Connector {self.connector} has no version {version} with the operation "
                        f"{self.operation['operation_id']}; choose another version (the latest is "
                        f"{provider.latest_number(self.connector) or 'gone'}).",
                    )
                ]
            return other.validate_config(config)
        return super().validate_config(config)

    def literal_url(self, config: Any) -> str | None:
        """The base URL a node calls when known before the run (for the team's allowed hosts)."""
        version = config.get("version") if isinstance(config, Mapping) else None
        target = self.pinned(version) or self
        server = config.get("server") if isinstance(config, Mapping) else None
        if isinstance(server, str) and server.strip():
            return server if "{{" not in server else None
        return str(target.operation["server_url"])

    def execute(self, ctx: NodeContext, config: ConnectorConfig, input: Any) -> Any:
        target = self.pinned(config.version)
        if target is None:
            raise NodeError(
                f"Connector {self.connector} has no version {config.version} with the operation "
                f"{self.operation['operation_id']} any more; edit the flow to pick a version."
            )
        return target.call(ctx, config)

    def call(self, ctx: NodeContext, config: ConnectorConfig) -> dict[str, Any]:
        operation = self.operation
        values: dict[str, Any] = {}
        for parameter in operation["parameters"]:
            key = parameter["key"]
            value = ctx.evaluate(config.parameters[key]) if key in config.parameters else None
            if value is None:
                if parameter["required"]:
                    raise NodeError(f"The {parameter['in']} parameter {key!r} is required but has no value.")
                continue
            values[key] = _checked(key, parameter, value)
        server = outbound.evaluate_url(ctx, config.server) if config.server else operation["server_url"]
        path = operation["path"]
        headers: dict[str, str] = {}
        query: dict[str, str | list[str]] = {}
        for parameter in operation["parameters"]:
            if parameter["key"] not in values:
                continue
            value = values[parameter["key"]]
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", quote(outbound.as_text(value), safe=""))
            elif parameter["in"] == "query":
                query[parameter["name"]] = (
                    [outbound.as_text(v) for v in value]
                    if isinstance(value, list)
                    else outbound.as_text(value)
                )
            else:
                headers[parameter["name"]] = outbound.as_text(value)
        content, content_type = self._body(ctx, config)
        reply = outbound.send(
            ctx,
            method=operation["method"],
            url=server.rstrip("/") + path,
            params=query,
            headers=headers,
            content=content,
            content_type=content_type,
            connection=config.connection,
        )
        return reply.as_output()

    def _body(self, ctx: NodeContext, config: ConnectorConfig) -> tuple[bytes | None, str | None]:
        body = self.operation.get("body")
        if not body or config.body is None:
            if body and body.get("required"):
                raise NodeError("The operation needs a body, and the node's `body` is empty.")
            return None, None
        value = ctx.evaluate(config.body)
        if body["media_type"] == "application/x-www-form-urlencoded":
            if not isinstance(value, Mapping):
                raise NodeError("The body is sent as a form: it must evaluate to an object of fields.")
            fields = [
                (
                    str(name),
                    [outbound.as_text(v) for v in item] if isinstance(item, list) else outbound.as_text(item),
                )
                for name, item in value.items()
                if item is not None
            ]
            return urlencode(fields, doseq=True).encode(), body["media_type"]
        return outbound.encode_json(value), body["media_type"]


def _checked(key: str, parameter: Mapping[str, Any], value: Any) -> Any:
    """The value as the parameter's schema wants it (text from a template read as a number or a yes/no
    when the schema says so), or a NodeError naming the parameter."""
    schema = parameter.get("schema")
    if not isinstance(schema, dict) or not schema:
        return value
    value = _coerced(value, schema)
    try:
        validator = jsonschema.Draft202012Validator(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    except (jsonschema.exceptions.SchemaError, TypeError, ValueError, LookupError, AttributeError):
        return value  # a schema too broken to check against: the API will judge the value
    if error is not None:
        shown = json.dumps(value, ensure_ascii=False)[:100]
        raise NodeError(
            f"The {parameter['in']} parameter {key!r} is {shown}, which does not fit: {error.message}"
        )
    return value


def _coerced(value: Any, schema: Mapping[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "string" in kinds:
        return value
    text = value.strip()
    if "integer" in kinds:
        try:
            return int(text)
        except ValueError:
            pass
    if "number" in kinds:
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            pass
    if "boolean" in kinds and text.lower() in {"true", "false"}:
        return text.lower() == "true"
    return value


# --- the provider the registry asks --------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    connector: str
    number: int
    types: dict[str, ConnectorOperation]


class ConnectorProvider:
    """Gives the registry the node types of imported connectors (see `nodes.registry.Provider`)."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[int, datetime], _Compiled] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> NodeType[Any] | None:
        parts = split_type_name(name)
        if parts is None:
            return None
        connector, operation_id = parts
        # Newest first: the latest version that still has the operation describes it.
        for compiled in self._versions(connector):
            if operation_id in compiled.types:
                return compiled.types[operation_id]
        return None

    def all(self) -> list[NodeType[Any]]:
        from nodes.models import ConnectorVersion

        latest: dict[int, tuple[int, int, datetime]] = {}
        for pk, connector_id, number, created_at in ConnectorVersion.objects.values_list(
            "pk", "connector_id", "number", "created_at"
        ):
            if connector_id not in latest or number > latest[connector_id][1]:
                latest[connector_id] = (pk, number, created_at)
        found: list[NodeType[Any]] = []
        for pk, _, created_at in latest.values():
            found.extend(self._compile(pk, created_at).types.values())
        return found

    def operation_type(self, connector: str, number: int, operation_id: str) -> ConnectorOperation | None:
        for compiled in self._versions(connector, number=number):
            return compiled.types.get(operation_id)
        return None

    def compiled_count(self, pk: int, created_at: datetime) -> int:
        return len(self._compile(pk, created_at).types)

    def latest_number(self, connector: str) -> int | None:
        from nodes.models import ConnectorVersion

        return (
            ConnectorVersion.objects.filter(connector__name=connector)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )

    def _versions(self, connector: str, *, number: int | None = None) -> list[_Compiled]:
        from nodes.models import ConnectorVersion

        rows = ConnectorVersion.objects.filter(connector__name=connector)
        if number is not None:
            rows = rows.filter(number=number)
        found = []
        for pk, created_at in rows.order_by("-number").values_list("pk", "created_at"):
            found.append(self._compile(pk, created_at))
        return found

    def _compile(self, pk: int, created_at: datetime) -> _Compiled:
        # Keyed by id and creation time: an id reused (a restore, a rolled-back test) is another version.
        key = (pk, created_at)
        with self._lock:
            if key in self._compiled:
                return self._compiled[key]
        from nodes.models import ConnectorVersion

        version = (
            ConnectorVersion.objects.select_related("connector")
            .only("number", "operations", "connector__name", "connector__title")
            .get(pk=pk)
        )
        connector = version.connector.name
        types: dict[str, ConnectorOperation] = {}
        for operation in version.operations:
            types[operation["operation_id"]] = compile_operation(
                connector, version.connector.title, version.number, operation
            )
        compiled = _Compiled(connector, version.number, types)
        with self._lock:
            self._compiled[key] = compiled
        return compiled


def compile_operation(
    connector: str, connector_title: str, number: int, operation: dict[str, Any]
) -> ConnectorOperation:
    from nodes.connectors import openapi

    operation_id = operation["operation_id"]
    words = [operation.get("description") or operation.get("summary") or ""]
    words.append(
        f"{operation['method']} {operation['path']} on {connector_title or connector} (version {number})."
    )
    attributes = {
        "type": type_name(connector, operation_id),
        "title": (operation.get("summary") or operation_id)[:200],
        "description": " ".join(w.strip() for w in words if w.strip()),
        "connector": connector,
        "number": number,
        "operation": operation,
        "schema": openapi.config_schema(operation, connector=connector, number=number),
        "example": openapi.example_config(operation, number=number),
    }
    cls = type(f"Connector_{connector}_{operation_id}", (ConnectorOperation,), attributes)
    return cls()


provider = ConnectorProvider()
