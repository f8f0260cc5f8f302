"""Reading an OpenAPI 3.0/3.1 or Swagger 2.0 document into the operations a connector offers.

Real documents are messy, so every operation is mapped on its own: one that cannot be mapped (no usable
server, a body only sent as XML or multipart, a name already taken, a broken `$ref`) is skipped with a
reason and the rest of the document still imports. Only a document that is not OpenAPI at all fails.
Schemas are dereferenced (local `$ref`s only), `allOf` is flattened, `oneOf`/`anyOf` are kept, and a
`$ref` cycle becomes a permissive `{}` schema with a description rather than an endless expansion.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from nodes.registry import NodeConfig, connection_widget

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PARAM_LOCATIONS = ("path", "query", "header")
JSON_MEDIA = "application/json"
FORM_MEDIA = "application/x-www-form-urlencoded"
MAX_NAME = 100
MAX_REF_DEPTH = 24  # nested `$ref`s expanded inside one schema before the rest is shown as `{}`
MAX_YAML_NODES = 5_000_000  # YAML aliases can make a small text expand without end ("billion laughs")
# Headers the hub sets itself; a parameter of the same name would be overwritten or confuse the request.
RESERVED_HEADERS = frozenset({"content-type", "content-length", "host", "authorization", "accept-encoding"})

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")
_PATH_PARAM = re.compile(r"\{([^{}]+)\}")


class SpecError(Exception):
    """The document is not an OpenAPI 3.x or Swagger 2.0 document (or not JSON/YAML at all)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Unmappable(Exception):
    """One operation cannot be mapped; the message is the reason shown in `skipped`."""


@dataclass
class ImportResult:
    title: str
    operations: list[dict[str, Any]] = field(default_factory=list)
    auth: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


# --- reading the text ----------------------------------------------------------------------------


def load(source: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """The document as JSON data: a mapping as given, else JSON text, else YAML text."""
    if isinstance(source, Mapping):
        document: Any = dict(source)
    else:
        text = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else source
        try:
            document = json.loads(text)
        except ValueError:
            try:
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                document = _jsonable(yaml.load(text, Loader=loader), [0])
            except yaml.YAMLError as error:
                raise SpecError(f"The document is neither JSON nor YAML: {error}") from None
    if not isinstance(document, dict):
        raise SpecError("The document is not an OpenAPI document: it is not a JSON or YAML object.")
    version_problem(document)
    return document


def _jsonable(value: Any, count: list[int]) -> Any:
    """YAML's extras as JSON has them: dates as text, keys (`200:`) as strings; aliases expanded, counted."""
    count[0] += 1
    if count[0] > MAX_YAML_NODES:
        raise SpecError("The YAML document expands to too many values (aliases nested on aliases?).")
    if isinstance(value, dict):
        return {str(key): _jsonable(item, count) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item, count) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def version_problem(document: Mapping[str, Any]) -> None:
    """Refuse a document that says it is neither OpenAPI 3.x nor Swagger 2.0."""
    openapi, swagger = document.get("openapi"), document.get("swagger")
    if isinstance(openapi, str) and re.match(r"^3\.[01](\.\d+)?", openapi):
        return
    if swagger is not None and str(swagger) in {"2.0", "2"}:
        return
    if openapi is not None or swagger is not None:
        raise SpecError(
            f"The document is OpenAPI/Swagger {openapi or swagger}; only OpenAPI 3.0, 3.1 and Swagger 2.0 "
            "are read."
        )
    raise SpecError(
        "The document is not an OpenAPI document: it has no `openapi` (3.x) or `swagger` (2.0) key."
    )


def is_swagger2(document: Mapping[str, Any]) -> bool:
    return "swagger" in document and "openapi" not in document


# --- $ref resolution -----------------------------------------------------------------------------


class Resolver:
    """Local `$ref`s of one document. Schemas expanded without meeting a cycle are remembered, so a
    schema used by hundreds of operations is expanded once."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._memo: dict[str, Any] = {}
        self._cuts = 0  # how many times an expansion was cut short (a cycle, too deep)

    def target(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise _Unmappable(f"it refers to {ref!r}, outside the document (only local $refs are read)")
        found: Any = self.document
        for raw in ref[1:].split("/")[1:] if ref.startswith("#/") else ([] if ref == "#" else [None]):
            if raw is None:
                raise _Unmappable(f"the $ref {ref!r} is not a JSON pointer")
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(found, Mapping) and part in found:
                found = found[part]
            elif isinstance(found, list) and part.isdigit() and int(part) < len(found):
                found = found[int(part)]
            else:
                raise _Unmappable(f"the $ref {ref!r} points at nothing in the document")
        return found

    def shallow(self, value: Any) -> Any:
        """A parameter, body, path item…: follow `$ref` until it is the thing itself."""
        seen: set[str] = set()
        while isinstance(value, Mapping) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            if ref in seen:
                raise _Unmappable(f"the $ref {ref!r} refers to itself")
            seen.add(ref)
            value = self.target(ref)
        return value

    def schema(self, value: Any, stack: tuple[str, ...] = ()) -> Any:
        """A schema with every local `$ref` expanded and `allOf` flattened."""
        if isinstance(value, list):
            return [self.schema(item, stack) for item in value]
        if not isinstance(value, Mapping):
            return value
        ref = value.get("$ref")
        if isinstance(ref, str):
            resolved = self._ref(ref, stack)
            siblings = {k: v for k, v in value.items() if k != "$ref"}
            if not siblings:
                return resolved
            # 3.1 allows keywords beside $ref: both apply, which is what allOf says.
            return _flatten({"allOf": [resolved, self.schema(siblings, stack)]})
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}:
                out[key] = (
                    {name: self.schema(sub, stack) for name, sub in item.items()}
                    if isinstance(item, Mapping)
                    else item
                )
            elif key in _SCHEMA_KEYS or key in {"allOf", "oneOf", "anyOf", "prefixItems"}:
                out[key] = self.schema(item, stack)
            else:
                out[key] = item  # examples, enums, defaults, x-…: data, not schemas
        return _flatten(_modern(out))

    def _ref(self, ref: str, stack: tuple[str, ...]) -> Any:
        if ref in stack:
            self._cuts += 1
            name = ref.rsplit("/", 1)[-1]
            return {"description": f"{name} (contains itself: not expanded further, any value is accepted)"}
        if len(stack) >= MAX_REF_DEPTH:
            self._cuts += 1
            return {
                "description": f"{ref.rsplit('/', 1)[-1]} (nested too deep to show: any value is accepted)"
            }
        if ref in self._memo:
            return self._memo[ref]
        cuts = self._cuts
        resolved = self.schema(self.target(ref), (*stack, ref))
        if self._cuts == cuts:  # no cycle or cut below: the same wherever it is used
            self._memo[ref] = resolved
        return resolved


_SCHEMA_KEYS = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "unevaluatedItems",
        "additionalItems",
    }
)


def _modern(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 / Swagger spellings in JSON Schema 2020-12 terms, so values can be checked."""
    if schema.pop("nullable", False) is True and "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*kinds, "null"] if "null" not in kinds else kinds
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(bound), bool):
            if schema.pop(bound) and limit in schema:
                schema[bound] = schema.pop(limit)
    if schema.get("type") == "file":  # Swagger 2.0
        schema["type"] = "string"
        schema["format"] = "binary"
    return schema


def _flatten(schema: dict[str, Any]) -> dict[str, Any]:
    """`allOf` merged into one schema (properties and `required` joined); keywords that disagree are kept
    under a smaller `allOf`, so nothing the document said is lost."""
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    left: list[Any] = []
    for part in parts:
        if not isinstance(part, Mapping):
            if part is not True:
                left.append(part)
            continue
        for key, value in part.items():
            if key == "properties" and isinstance(value, Mapping):
                properties = dict(merged.get("properties") or {})
                for name, sub in value.items():
                    if name in properties and properties[name] != sub:
                        properties[name] = _flatten({"allOf": [properties[name], sub]})
                    else:
                        properties[name] = sub
                merged["properties"] = properties
            elif key == "required" and isinstance(value, list):
                merged["required"] = list(dict.fromkeys([*(merged.get("required") or []), *value]))
            elif key not in merged:
                merged[key] = value
            elif key in {"title", "description", "example", "examples", "x-readme-ref-name"}:
                continue  # the outer schema's words win
            elif merged[key] != value:
                left.append({key: value})
    if left:
        merged["allOf"] = left
    return merged


# --- the document's operations -------------------------------------------------------------------


def read(document: Mapping[str, Any], *, base_url: str | None = None) -> ImportResult:
    """Every operation of a document (already `load`ed), mapped or skipped with its reason.

    `base_url` is where the document was fetched from: relative server URLs are resolved against it.
    """
    swagger2 = is_swagger2(document)
    resolver = Resolver(document)
    info = document.get("info") if isinstance(document.get("info"), Mapping) else {}
    title = str(info.get("title") or "").strip()[:200] if isinstance(info, Mapping) else ""
    result = ImportResult(title=title)
    schemes = _security_schemes(document, resolver, swagger2)
    result.auth = [entry for _, entries in schemes.items() for entry in entries]
    paths = document.get("paths")
    taken: set[str] = set()
    for path, raw_item in paths.items() if isinstance(paths, Mapping) else []:
        try:
            item = resolver.shallow(raw_item)
        except _Unmappable as why:
            result.skipped.append({"operation": str(path), "reason": f"The path item cannot be read: {why}."})
            continue
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            label = f"{method.upper()} {path}"
            try:
                name = operation_name(operation, method, str(path))
                if name in taken:
                    raise _Unmappable(f"another operation is already named {name!r}")
                mapped = _operation(
                    document, resolver, swagger2, item, operation, method, str(path), base_url
                )
            except _Unmappable as why:
                reason = str(why)
                result.skipped.append({"operation": label, "reason": reason[:1].upper() + reason[1:] + "."})
                continue
            taken.add(name)
            mapped["operation_id"] = name
            mapped["security"] = _security(document, operation)
            mapped["connection_kinds"] = _connection_kinds(mapped["security"], schemes)
            result.operations.append(mapped)
    return result


def operation_name(operation: Mapping[str, Any], method: str, path: str) -> str:
    """The operationId in `[A-Za-z0-9_]`, or one made from method and path (`get_pets_petId`)."""
    given = operation.get("operationId")
    if isinstance(given, str | int) and str(given).strip():
        raw = str(given)
        name = _UNSAFE.sub("_", raw).strip("_") or method
    else:  # get /pets/{petId} → get_pets_petId
        raw = f"{method} {path}"
        name = "_".join([method, *(part for part in _UNSAFE.split(path) if part)])
    if len(name) > MAX_NAME:  # still stable and unique: the cut is told apart by a hash of the whole
        name = f"{name[: MAX_NAME - 9]}_{hashlib.sha1(raw.encode()).hexdigest()[:8]}"
    return name


def _operation(
    document: Mapping[str, Any],
    resolver: Resolver,
    swagger2: bool,
    item: Mapping[str, Any],
    operation: Mapping[str, Any],
    method: str,
    path: str,
    base_url: str | None,
) -> dict[str, Any]:
    server_url = _server_url(document, item, operation, swagger2, base_url)
    parameters, body = _parameters(document, resolver, swagger2, item, operation)
    if not swagger2:
        body = _request_body(resolver, operation)
    named_in_path = _PATH_PARAM.findall(path)
    for name in named_in_path:
        if not any(p["in"] == "path" and p["name"] == name for p in parameters):
            # The path cannot be built without it: treat it as a required text parameter.
            parameters.append(
                {
                    "key": name,
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": "",
                    "schema": {"type": "string"},
                }
            )
    summary = str(operation.get("summary") or "").strip()
    description = str(operation.get("description") or "").strip()
    return {
        "method": method.upper(),
        "path": path,
        "summary": summary,
        "description": description,
        "deprecated": operation.get("deprecated") is True,
        "server_url": server_url,
        "parameters": parameters,
        "body": body,
    }


def _server_url(
    document: Mapping[str, Any],
    item: Mapping[str, Any],
    operation: Mapping[str, Any],
    swagger2: bool,
    base_url: str | None,
) -> str:
    if swagger2:
        return _swagger2_server(document, operation, base_url)
    tried: list[str] = []
    for servers in (operation.get("servers"), item.get("servers"), document.get("servers")):
        if not isinstance(servers, list) or not servers:
            continue
        for server in servers:
            if not isinstance(server, Mapping) or not isinstance(server.get("url"), str):
                continue
            url = _server_variables(server["url"], server.get("variables"))
            if url is not None and "{" not in url:
                url = urljoin(base_url, url) if base_url else url
            if url is not None and _absolute_http(url):
                return url.rstrip("/")
            tried.append(server["url"])
        break  # the innermost list given replaces the outer ones (OpenAPI says so)
    if tried:
        raise _Unmappable(
            f"no usable server URL: {', '.join(tried)} is not an absolute http(s) address"
            + ("" if base_url else " (import the document from its URL to resolve a relative one)")
        )
    raise _Unmappable("the document names no server URL")


def _server_variables(url: str, variables: Any) -> str | None:
    values = variables if isinstance(variables, Mapping) else {}

    def fill(match: re.Match[str]) -> str:
        variable = values.get(match.group(1))
        if isinstance(variable, Mapping):
            if variable.get("default") is not None:
                return str(variable["default"])
            enum = variable.get("enum")
            if isinstance(enum, list) and enum:
                return str(enum[0])
        raise _Unmappable(f"the server URL {url!r} has the variable {{{match.group(1)}}} with no default")

    return _PATH_PARAM.sub(fill, url)


def _swagger2_server(document: Mapping[str, Any], operation: Mapping[str, Any], base_url: str | None) -> str:
    schemes = operation.get("schemes") or document.get("schemes") or []
    schemes = (
        [str(s).lower() for s in schemes if str(s).lower() in {"http", "https"}]
        if isinstance(schemes, list)
        else []
    )
    fetched = urlsplit(base_url) if base_url else None
    host = document.get("host") or (fetched.netloc if fetched else None)
    if not isinstance(host, str) or not host:
        raise _Unmappable("no usable server URL: the document names no `host`")
    scheme = (
        "https"
        if "https" in schemes
        else (schemes[0] if schemes else (fetched.scheme if fetched else "https"))
    )
    base_path = str(document.get("basePath") or "")
    url = f"{scheme}://{host}{'/' + base_path.strip('/') if base_path.strip('/') else ''}"
    if not _absolute_http(url):
        raise _Unmappable(f"no usable server URL: {url!r} is not an http(s) address")
    return url


def _absolute_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _parameters(
    document: Mapping[str, Any],
    resolver: Resolver,
    swagger2: bool,
    item: Mapping[str, Any],
    operation: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The path, query and header parameters (the operation's replacing the path item's of the same
    name and place) and, for Swagger 2.0, the body made of `in: body` or `in: formData` parameters."""
    merged: dict[tuple[str, str], Mapping[str, Any]] = {}
    for raw in [*(_list(item.get("parameters"))), *(_list(operation.get("parameters")))]:
        parameter = resolver.shallow(raw)
        if not isinstance(parameter, Mapping) or not isinstance(parameter.get("name"), str):
            raise _Unmappable("a parameter has no name")
        merged[(str(parameter.get("in")), parameter["name"])] = parameter
    found: list[dict[str, Any]] = []
    body: dict[str, Any] | None = None
    form: list[Mapping[str, Any]] = []
    keys: set[str] = set()
    for (where, name), parameter in merged.items():
        required = parameter.get("required") is True or where == "path"
        if where == "body":
            body = {
                "media_type": _swagger2_body_media(document, operation),
                "required": parameter.get("required") is True,
                "description": str(parameter.get("description") or ""),
                "schema": resolver.schema(parameter.get("schema") or {}),
            }
            continue
        if where == "formData":
            form.append(parameter)
            continue
        if where not in PARAM_LOCATIONS:
            if required:
                raise _Unmappable(f"it needs the {where} parameter {name!r}, which connectors do not send")
            continue  # an optional cookie: left out
        if where == "header" and name.lower() in RESERVED_HEADERS:
            continue  # set by the hub (Content-Type from the body, Authorization from the connection)
        schema = _swagger2_param_schema(parameter) if swagger2 else _param_schema(resolver, parameter)
        key = name if name not in keys else f"{name}_{where}"
        keys.add(key)
        found.append(
            {
                "key": key,
                "name": name,
                "in": where,
                "required": required,
                "description": str(parameter.get("description") or "").strip(),
                "schema": schema,
            }
        )
    if form:
        if any(str(p.get("type")) == "file" for p in form) or "multipart/form-data" in _consumes(
            document, operation
        ):
            raise _Unmappable("its body is a multipart/form-data upload, which connectors cannot send")
        body = {
            "media_type": FORM_MEDIA,
            "required": any(p.get("required") is True for p in form),
            "description": "",
            "schema": {
                "type": "object",
                "properties": {str(p["name"]): _swagger2_param_schema(p) for p in form},
                "required": [str(p["name"]) for p in form if p.get("required") is True],
            },
        }
    return found, body


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _param_schema(resolver: Resolver, parameter: Mapping[str, Any]) -> Any:
    if "schema" in parameter:
        return resolver.schema(parameter["schema"])
    content = parameter.get("content")
    if isinstance(content, Mapping):
        for media in content.values():
            if isinstance(media, Mapping) and "schema" in media:
                return resolver.schema(media["schema"])
    return {}


_SWAGGER2_SCHEMA_KEYS = (
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
    "multipleOf",
)  # fmt: skip


def _swagger2_param_schema(parameter: Mapping[str, Any]) -> dict[str, Any]:
    schema = {key: parameter[key] for key in _SWAGGER2_SCHEMA_KEYS if key in parameter}
    if isinstance(schema.get("items"), Mapping):
        schema["items"] = _swagger2_param_schema(schema["items"])
    return _modern(schema)


def _consumes(document: Mapping[str, Any], operation: Mapping[str, Any]) -> list[str]:
    consumes = operation.get("consumes", document.get("consumes"))
    return [str(c).split(";")[0].strip().lower() for c in consumes] if isinstance(consumes, list) else []


def _swagger2_body_media(document: Mapping[str, Any], operation: Mapping[str, Any]) -> str:
    consumes = _consumes(document, operation)
    if not consumes:
        return JSON_MEDIA
    for media in consumes:
        if _is_json(media):
            return media
    raise _Unmappable(f"its body is sent as {', '.join(consumes)}, which connectors cannot send (only JSON)")


def _request_body(resolver: Resolver, operation: Mapping[str, Any]) -> dict[str, Any] | None:
    raw = operation.get("requestBody")
    if raw is None:
        return None
    body = resolver.shallow(raw)
    if not isinstance(body, Mapping):
        return None
    content = body.get("content")
    if not isinstance(content, Mapping) or not content:
        return None
    media_types = [str(m) for m in content]
    chosen = next((m for m in media_types if m.split(";")[0].strip().lower() == JSON_MEDIA), None)
    chosen = chosen or next((m for m in media_types if _is_json(m.split(";")[0].strip().lower())), None)
    chosen = chosen or next((m for m in media_types if m.split(";")[0].strip().lower() == FORM_MEDIA), None)
    if chosen is None:
        raise _Unmappable(
            f"its body is sent as {', '.join(media_types)}, which connectors cannot send "
            "(JSON or a form, nothing else)"
        )
    media = content[chosen] if isinstance(content[chosen], Mapping) else {}
    return {
        "media_type": chosen.split(";")[0].strip(),
        "required": body.get("required") is True,
        "description": str(body.get("description") or "").strip(),
        "schema": resolver.schema(media.get("schema") or {}),
    }


def _is_json(media: str) -> bool:
    return (
        media == JSON_MEDIA
        or media.endswith("+json")
        or media == "*/*"
        or (media.startswith("application/") and media.endswith("json"))
    )


# --- security --------------------------------------------------------------------------------------


def _security_schemes(
    document: Mapping[str, Any], resolver: Resolver, swagger2: bool
) -> dict[str, list[dict[str, Any]]]:
    """scheme name → what a connection of ours needs for it (one entry per OAuth2 flow we support)."""
    if swagger2:
        raw = document.get("securityDefinitions")
    else:
        components = document.get("components")
        raw = components.get("securitySchemes") if isinstance(components, Mapping) else None
    found: dict[str, list[dict[str, Any]]] = {}
    for name, value in raw.items() if isinstance(raw, Mapping) else []:
        try:
            scheme = resolver.shallow(value)
        except _Unmappable:
            scheme = {}
        found[str(name)] = _auth_entries(str(name), scheme if isinstance(scheme, Mapping) else {}, swagger2)
    return found


def _auth_entries(name: str, scheme: Mapping[str, Any], swagger2: bool) -> list[dict[str, Any]]:
    kind = str(scheme.get("type") or "")
    description = str(scheme.get("description") or "").strip()

    def entry(connection_kind: str | None, settings: dict[str, Any], reason: str = "") -> dict[str, Any]:
        made = {"scheme": name, "type": kind, "kind": connection_kind, "settings": settings}
        made["description"] = description
        if reason:
            made["unsupported"] = reason
        return made

    if kind == "apiKey":
        where = str(scheme.get("in") or "")
        if where in {"header", "query"}:
            return [entry("api_key", {"in": where, "name": str(scheme.get("name") or "")})]
        return [entry(None, {}, f"an API key sent in a {where or 'unknown place'} is not supported")]
    if kind == "basic" or (kind == "http" and str(scheme.get("scheme", "")).lower() == "basic"):
        return [entry("basic", {})]
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        bearer = {"bearer_format": str(scheme["bearerFormat"])} if scheme.get("bearerFormat") else {}
        return [entry("bearer", bearer)]
    if kind == "oauth2":
        flows: list[tuple[str, Mapping[str, Any]]] = []
        if swagger2:
            flow = str(scheme.get("flow") or "")
            grant = {"application": "client_credentials", "accessCode": "authorization_code"}.get(flow)
            if grant:
                flows.append((grant, scheme))
        else:
            raw_flows: Mapping[str, Any] = scheme["flows"] if isinstance(scheme.get("flows"), Mapping) else {}
            for key, grant in (
                ("authorizationCode", "authorization_code"),
                ("clientCredentials", "client_credentials"),
            ):
                if isinstance(raw_flows.get(key), Mapping):
                    flows.append((grant, raw_flows[key]))
        entries = []
        for grant, flow_data in flows:
            scopes = flow_data.get("scopes")
            settings: dict[str, Any] = {
                "grant": grant,
                "token_url": str(flow_data.get("tokenUrl") or ""),
                "scopes": sorted(str(s) for s in scopes) if isinstance(scopes, Mapping) else [],
            }
            if grant == "authorization_code":
                settings["authorize_url"] = str(flow_data.get("authorizationUrl") or "")
            entries.append(entry("oauth2", settings))
        return entries or [
            entry(None, {}, "only the implicit or password OAuth2 flows, which are not supported")
        ]
    if kind == "http":
        return [entry(None, {}, f"HTTP {scheme.get('scheme')} authentication is not supported")]
    return [entry(None, {}, f"{kind or 'this'} security scheme is not supported")]


def _security(document: Mapping[str, Any], operation: Mapping[str, Any]) -> list[list[str]]:
    """The operation's security requirements: any one of the lists, all schemes of that list."""
    requirements = operation["security"] if "security" in operation else document.get("security")
    return [
        sorted(str(name) for name in requirement)
        for requirement in (requirements if isinstance(requirements, list) else [])
        if isinstance(requirement, Mapping)
    ]


def _connection_kinds(security: list[list[str]], schemes: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    """The connection kinds that can satisfy one of the requirements on its own (one connection per step)."""
    kinds: list[str] = []
    for requirement in security:
        if len(requirement) != 1:
            continue
        for entry in schemes.get(requirement[0], []):
            if entry["kind"] and entry["kind"] not in kinds:
                kinds.append(entry["kind"])
    return kinds


# --- the node type's config schema ---------------------------------------------------------------

CONFIG_BASE = NodeConfig.model_json_schema()


def config_schema(operation: Mapping[str, Any], *, connector: str, number: int) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a node's config for this operation of this connector version."""
    kinds = operation.get("connection_kinds") or []
    connection_help = (
        f"The connection that signs the requests: a {' or '.join(kinds)} connection."
        if kinds
        else "A connection whose credentials are applied to the requests, if the API needs one."
    )
    parameters: dict[str, Any] = {}
    required: list[str] = []
    for parameter in operation.get("parameters", []):
        words = [f"{parameter['in']} parameter {parameter['name']!r}"]
        if parameter.get("description"):
            words.append(str(parameter["description"]))
        shown = _schema_summary(parameter.get("schema"))
        if shown:
            words.append(f"Schema: {shown}")
        parameters[parameter["key"]] = {
            "title": parameter["name"],
            "description": ". ".join(w.rstrip(".") for w in words) + ".",
            "x-widget": "expression",
            "x-param-in": parameter["in"],
            "x-param-schema": parameter.get("schema") or {},
        }
        if parameter.get("required"):
            required.append(parameter["key"])
    properties: dict[str, Any] = {
        "version": {
            "type": "integer",
            "minimum": 1,
            "default": number,
            "title": "Connector version",
            "description": f"The version of connector {connector} this node was built with; it keeps "
            "this operation's shape when the connector is imported again.",
        },
        "connection": {
            "type": ["string", "null"],
            "default": None,
            "title": "Connection",
            "description": connection_help,
            **connection_widget(*kinds),
        },
        "server": {
            "type": ["string", "null"],
            "default": None,
            "title": "Server",
            "description": f"Another base URL to call instead of {operation.get('server_url')}.",
        },
        "parameters": {
            "type": "object",
            "title": "Parameters",
            "description": "One value per parameter: a template, a JsonLogic rule or a literal.",
            "properties": parameters,
            "required": required,
            "additionalProperties": False,
            "default": {},
        },
    }
    body = operation.get("body")
    if body:
        body_help = (
            f"The request body, sent as {body['media_type']}: a template, a JsonLogic rule or a literal."
        )
        properties["body"] = {
            "title": "Body",
            "description": body_help + (f" {body['description']}" if body.get("description") else ""),
            "x-widget": "expression",
            "x-body-media-type": body["media_type"],
        }
        if len(json.dumps(body.get("schema"))) <= 32_000:  # keep the /node-types list light
            properties["body"]["x-body-schema"] = body.get("schema")
    for key in ("retry", "on_error"):
        properties[key] = CONFIG_BASE["properties"][key]
    schema: dict[str, Any] = {
        "type": "object",
        "title": operation.get("summary") or operation["operation_id"],
        "properties": properties,
        "additionalProperties": False,
        "required": ["version"]
        + (["parameters"] if required else [])
        + (["body"] if body and body.get("required") else []),
    }
    if "$defs" in CONFIG_BASE:
        schema["$defs"] = CONFIG_BASE["$defs"]
    return schema


def _schema_summary(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return ""
    kind = schema.get("type")
    text = "/".join(map(str, kind)) if isinstance(kind, list) else str(kind or "")
    if isinstance(schema.get("enum"), list):
        text += f" one of {', '.join(map(str, schema['enum'][:10]))}"
    if schema.get("format"):
        text += f" ({schema['format']})"
    return text.strip()


def example_config(operation: Mapping[str, Any], *, number: int) -> dict[str, Any]:
    """A valid config for the catalog: the version, and a sample value for each required parameter."""
    example: dict[str, Any] = {"version": number}
    values = {
        p["key"]: _sample(p.get("schema"), p.get("example"))
        for p in operation.get("parameters", [])
        if p["required"]
    }
    if values:
        example["parameters"] = values
    body = operation.get("body")
    if body and body.get("required"):
        example["body"] = _sample(body.get("schema"), None, depth=0)
    return example


def _sample(schema: Any, given: Any, depth: int = 0) -> Any:
    if given is not None:
        return given
    if not isinstance(schema, Mapping):
        return "value"
    for key in ("example", "default"):
        if schema.get(key) is not None:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return _sample(schema[key][0], None, depth)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object" or "properties" in schema:
        properties: Mapping[str, Any] = (
            schema["properties"] if isinstance(schema.get("properties"), Mapping) else {}
        )
        required: list[Any] = schema["required"] if isinstance(schema.get("required"), list) else []
        if depth > 4:
            return {}
        return {
            name: _sample(properties.get(name), None, depth + 1) for name in required if name in properties
        }
    return "text"
