"""The node-type registry: each type declares itself once; its form, validation and docs derive from that.

A node type is a class with `type`, `title`, `category`, `description`, a pydantic `Config` model (which
yields the JSON Schema), its output `ports`, and `execute(ctx, config, input)`. Built-in types live in
`nodes/builtin/<category>/<name>.py`; other packages add types through the entry-point group
`switchboard.nodes` (each entry point names a module to import, whose classes call `@register`).
"""

from __future__ import annotations

import builtins
import importlib
import logging
import pkgutil
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, Protocol, TypeVar

import jsonschema
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

if TYPE_CHECKING:
    from nodes.context import NodeContext

log = logging.getLogger(__name__)

Category = Literal["trigger", "transform", "action"]
ENTRY_POINT_GROUP = "switchboard.nodes"


Widget = Literal["condition", "template", "expression", "json", "connection"]


def widget(name: Widget) -> dict[str, Any]:
    """A hint in a config property's JSON Schema telling the editor which input to offer:
    `condition` (the condition builder), `template` (text with a path picker), `expression` (a
    template, a JsonLogic rule or a literal), `json` (free JSON), `connection` (see
    `connection_widget`)."""
    return {"x-widget": name}


# The kinds of connection that authenticate an HTTP request (nodes.connection_kinds).
HTTP_CONNECTION_KINDS = ("api_key", "basic", "bearer", "oauth2")


def connection_widget(*kinds: str) -> dict[str, Any]:
    """A config property naming a connection: the editor offers a picker of the connections of these
    kinds that the flow's team may use."""
    return {"x-widget": "connection", "x-connection-kinds": list(kinds)}


# A value evaluated at run time (template string, JsonLogic rule or literal), e.g. each map field.
Expression = Annotated[Any, WithJsonSchema({"x-widget": "expression"})]


class RetryPolicy(BaseModel):
    """How often and how patiently a failing step is tried again (full jitter, capped)."""

    model_config = ConfigDict(extra="forbid")
    max_attempts: int = Field(default=1, ge=1, le=25, description="Attempts in all, the first included.")
    backoff: Literal["exponential"] = "exponential"
    base_seconds: float = Field(default=1.0, ge=0, le=3600, description="Delay before the first retry.")
    max_seconds: float = Field(default=300.0, ge=0, le=86400, description="No delay is longer than this.")


ERROR_PORT = "error"


class NodeConfig(BaseModel):
    """Base of every node type's config: the keys every node takes."""

    model_config = ConfigDict(extra="forbid")
    retry: RetryPolicy | None = Field(default=None, description="Retry this step when it fails.")
    on_error: Literal["fail", "route"] = Field(
        default="fail",
        title="When it fails",
        description="fail: the run fails. route: the failure (after any retries) leaves through this "
        "step's `error` port, with the error as its output, so the flow can handle it.",
    )


C = TypeVar("C", bound=NodeConfig)


@dataclass(frozen=True)
class Route:
    """Output sent through one named port; `port=None` stops this branch (downstream steps are skipped)."""

    output: Any
    port: str | None


@dataclass(frozen=True)
class Wait:
    """The step waits until `until` without holding a worker; it then succeeds with `output`."""

    until: datetime
    output: Any


# Results the engine acts on where a node itself may not (`nodes` never imports `flows`).


@dataclass(frozen=True)
class AwaitDecision:
    """The step waits, without a worker, until a person decides or `until` passes (`transform.approval`).

    Exactly one of `assignee` (a username) and `role` names who may decide; the engine records the task
    and leaves by the port `approved`, `rejected` or `expired`."""

    title: str
    message: str
    assignee: str | None
    role: str | None
    until: datetime
    data: Any


@dataclass(frozen=True)
class Emit:
    """Start a run of every live flow of the same team whose trigger listens to `event` (`action.emit`).
    The engine stores those runs with the step's success; the step's output is `{"event", "runs"}`."""

    event: str
    payload: Any


class NodeError(Exception):
    """A step failed with a message a person can read. `retryable` when trying later may succeed."""

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None, output: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.output = output


class NodeType(ABC, Generic[C]):
    type: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[Category]
    description: ClassVar[str]
    # `builtins.type`: inside this class, `type` names the node type string above.
    Config: ClassVar[builtins.type[NodeConfig]] = NodeConfig
    ports: ClassVar[tuple[str, ...]] = ("out",)
    # More output ports named in the config: (list key, item key), e.g. ("cases", "port") for
    # `transform.switch`, whose every case is a port. The editor reads the same declaration.
    config_ports: ClassVar[tuple[str, str] | None] = None
    # A config shown in the node catalog as an example (valid for this type).
    example: ClassVar[dict[str, Any] | None] = None
    # Pure: the output follows from the input and config alone — no call out, no wait, nothing stored
    # elsewhere. The engine computes pure steps in memory and stores them with the next write it makes
    # anyway (before a step that acts, a wait, or the run's end); after a crash it computes them again,
    # which nobody outside the run can tell apart, as nobody saw them.
    pure: ClassVar[bool] = False

    @property
    def is_trigger(self) -> bool:
        return self.category == "trigger"

    @abstractmethod
    def execute(self, ctx: NodeContext, config: C, input: Any) -> Any:
        """Run the step. Return the output (port "out"), a Route, or a Wait; raise NodeError to fail."""
        ...

    # --- derived from the declaration, never written twice ---------------------------------------
    def ports_for(self, config: Any) -> tuple[str, ...]:
        """The output ports of a node with this config: the declared ones, then any the config names."""
        if self.config_ports is None or not isinstance(config, dict):
            return self.ports
        list_key, item_key = self.config_ports
        items = config.get(list_key)
        named = [
            item[item_key]
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get(item_key), str)
        ]
        return tuple(dict.fromkeys([*self.ports, *named]))

    def config_schema(self) -> dict[str, Any]:
        schema = self.Config.model_json_schema(by_alias=True)
        schema["title"] = self.title
        return schema

    def validate_config(self, config: Any) -> list[tuple[str | None, str]]:
        """Every problem with a config: (dotted field path or None, message).

        The JSON Schema speaks first (the same rules the editor's form knows); checks a schema cannot
        express (a cron expression, two keys that exclude each other) are the config model's validators.
        """
        validator = jsonschema.Draft202012Validator(self.config_schema())
        problems: list[tuple[str | None, str]] = [
            (_dotted(_error_path(error)), _message(error))
            for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
        ]
        try:
            self.Config.model_validate(config)
        except ValidationError as error:
            # Only the validators' own checks: the schema has reported types, ranges and keys already.
            problems.extend(
                (_dotted(item["loc"]), str(item["msg"]).removeprefix("Value error, "))
                for item in error.errors()
                if item["type"] == "value_error"
            )
        return problems

    def parse_config(self, config: dict[str, Any]) -> C:
        return self.Config.model_validate(config)  # type: ignore[return-value]

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "category": self.category,
            "description": self.description,
            "config_schema": self.config_schema(),
            "ports": list(self.ports),
            "config_ports": (
                {"list": self.config_ports[0], "key": self.config_ports[1]} if self.config_ports else None
            ),
            "inputs": [] if self.is_trigger else ["in"],
            "example": self.example,
        }


def _dotted(path: Any) -> str | None:
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or None


def _error_path(error: jsonschema.ValidationError) -> list[Any]:
    """Where the problem is; a missing key is named as the field itself, so the form can mark it."""
    path = list(error.absolute_path)
    if error.validator == "required" and (missing := _REQUIRED.match(str(error.message))):
        path.append(missing.group(1))
    return path


_REQUIRED = re.compile(r"^'(.+)' is a required property$")


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required")
    if error.validator == "additionalProperties":
        return str(error.message).replace("Additional properties are not allowed", "Unknown key(s)")
    return str(error.message)


class Provider(Protocol):
    """Node types that are not modules (e.g. imported connectors): asked after the registered ones."""

    def get(self, type_name: str) -> NodeType[Any] | None: ...

    def all(self) -> list[NodeType[Any]]: ...


@dataclass
class Registry:
    types: dict[str, NodeType[Any]] = field(default_factory=dict)
    providers: list[Provider] = field(default_factory=list)

    def add(self, cls: type[NodeType[Any]]) -> None:
        if cls.type in self.types and type(self.types[cls.type]) is not cls:
            raise ValueError(f"node type {cls.type!r} is registered twice")
        self.types[cls.type] = cls()

    def add_provider(self, provider: Provider) -> None:
        if provider not in self.providers:
            self.providers.append(provider)

    def get(self, type_name: str) -> NodeType[Any] | None:
        if (found := self.types.get(type_name)) is not None:
            return found
        for provider in self.providers:
            if (provided := provider.get(type_name)) is not None:
                return provided
        return None

    def all(self) -> list[NodeType[Any]]:
        order = {"trigger": 0, "transform": 1, "action": 2}
        provided = [t for provider in self.providers for t in provider.all() if t.type not in self.types]
        return sorted([*self.types.values(), *provided], key=lambda t: (order.get(t.category, 9), t.type))


registry = Registry()

T = TypeVar("T", bound=type[NodeType[Any]])


def register(cls: T) -> T:
    """Class decorator: make a node type available to flows, the API and the UI."""
    registry.add(cls)
    return cls


def get(type_name: str) -> NodeType[Any] | None:
    return registry.get(type_name)


def load_all() -> None:
    """Import every built-in node module, then the plug-ins' entry points."""
    import nodes.builtin as builtin

    for module in pkgutil.walk_packages(builtin.__path__, builtin.__name__ + "."):
        importlib.import_module(module.name)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()
        except Exception:
            log.exception("could not load node plug-in %s", entry.name)
