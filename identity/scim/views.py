"""The `/scim/v2/` endpoints: Users and Groups (create, read, list, `.search`, replace, patch, delete)
and the discovery documents, on django-scim2's `SCIMView`.

Listing filters in the database (`identity.scim.filters`) and pages with `startIndex`/`count`;
every answer is `application/scim+json` and every error a SCIM error document. `attributes` and
`excludedAttributes` trim any resource returned.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from django_scim.exceptions import SCIMException
from django_scim.views import SCIMView

from identity.models import Team, User
from identity.scim import selectors
from identity.scim.adapters import ScimGroup, ScimUser, scim_url
from identity.scim.auth import CONTENT_TYPE, ScimBearerAuth, error_response
from identity.scim.errors import (
    InvalidFilter,
    InvalidPath,
    InvalidSyntax,
    InvalidValue,
    MethodNotAllowed,
    NotFound,
    NotSupported,
    ScimError,
    as_scim_error,
)
from identity.scim.filters import (
    GROUP_COLUMNS,
    USER_COLUMNS,
    Column,
    Expression,
    ParseError,
    filter_q,
    parse_filter,
    split_attribute_path,
)
from identity.scim.schemas import (
    GROUP_KIND,
    LIST_RESPONSE,
    SCHEMA,
    SEARCH_REQUEST,
    SERVICE_PROVIDER_CONFIG,
    USER_KIND,
    ResourceKind,
    published_schemas,
)

logger = logging.getLogger(__name__)

# The most resources one page holds, and the page size when a request does not say.
MAX_RESULTS = 200


def base_location(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> str:
    """Scheme and host that `meta.location` and `$ref` start with: PUBLIC_URL's, else the request's."""
    if settings.PUBLIC_URL:
        parts = urlsplit(settings.PUBLIC_URL)
        return f"{parts.scheme}://{parts.netloc}"
    if request is None:
        return ""
    return f"{request.scheme}://{request.get_host()}"


def scim_response(
    document: Mapping[str, Any], status: int = 200, location: str | None = None
) -> HttpResponse:
    response = HttpResponse(json.dumps(document), status=status, content_type=CONTENT_TYPE)
    if location:
        response["Location"] = location
    return response


class ScimView(SCIMView):  # type: ignore[misc]
    """django-scim2's view, with Switchboard's bearer-token check and error documents throughout."""

    @method_decorator(csrf_exempt)  # a bearer token, not a cookie, authenticates these requests
    @method_decorator(ScimBearerAuth)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not self.implemented:
            return error_response(NotSupported(f"{request.path} is not supported by Switchboard."))
        try:
            response: HttpResponseBase = View.dispatch(self, request, *args, **kwargs)
        except Exception as exc:
            if not isinstance(exc, SCIMException):
                logger.exception("A SCIM request failed.")
            return error_response(as_scim_error(exc))
        return response

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = error_response(MethodNotAllowed(f"{request.method} is not allowed on {request.path}."))
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response

    def body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            body = json.loads(request.body.decode() or "null")
        except RequestDataTooBig as exc:
            raise ScimError("The body is larger than Switchboard accepts.", status=413) from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidSyntax(f"The body is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise InvalidSyntax("The body is a JSON object.")
        return body


# --- Listing, searching and trimming ------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One resource type as a list or search sees it."""

    kind: ResourceKind
    columns: Mapping[str, Column]
    queryset: Callable[[], QuerySet[Any]]  # for lists: ordered, related rows fetched together
    one: Callable[[], QuerySet[Any]]  # for reading or writing one resource
    adapter: Callable[..., ScimUser | ScimGroup]


USERS = Listing(USER_KIND, USER_COLUMNS, selectors.scim_users_listed, selectors.scim_users, ScimUser)
GROUPS = Listing(GROUP_KIND, GROUP_COLUMNS, selectors.scim_groups_listed, selectors.scim_groups, ScimGroup)


@dataclass(frozen=True)
class Query:
    """What a list or search asks for (RFC 7644 §3.4.2): from the query string, or a SearchRequest."""

    filter: str | None
    start_index: int
    count: int
    attributes: list[str]
    excluded_attributes: list[str]

    @staticmethod
    def _names(value: Any) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise InvalidValue("`attributes` and `excludedAttributes` are lists of attribute names.")

    @staticmethod
    def _number(value: Any, name: str, default: int) -> int:
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise InvalidValue(f"`{name}` is a whole number, not {value!r}.") from exc

    @classmethod
    def of(cls, source: Mapping[str, Any]) -> Query:
        found = source.get("filter")
        if found is not None and not isinstance(found, str):
            raise InvalidFilter("`filter` is text.")
        return cls(
            filter=found or None,
            # Out-of-range values are read as the nearest valid one (RFC 7644 §3.4.2.4).
            start_index=max(1, cls._number(source.get("startIndex"), "startIndex", 1)),
            count=min(max(0, cls._number(source.get("count"), "count", MAX_RESULTS)), MAX_RESULTS),
            attributes=cls._names(source.get("attributes")),
            excluded_attributes=cls._names(source.get("excludedAttributes")),
        )


def _querysets(listings: list[Listing], expression: Expression | None) -> list[tuple[Listing, QuerySet[Any]]]:
    if expression is None:
        return [(listing, listing.queryset()) for listing in listings]
    chosen, first_error = [], None
    for listing in listings:
        try:
            chosen.append(
                (listing, listing.queryset().filter(filter_q(expression, listing.kind, listing.columns)))
            )
        except InvalidFilter as exc:
            # Searching several resource types at once, a filter on an attribute one of them lacks
            # matches none of that type.
            first_error = first_error or exc
    if not chosen and first_error is not None:
        raise first_error
    return chosen


def list_response(request: HttpRequest, listings: list[Listing], query: Query) -> HttpResponse:
    expression = parse_filter(query.filter) if query.filter else None
    resources: list[dict[str, Any]] = []
    total, skip, wanted = 0, query.start_index - 1, query.count
    for listing, queryset in _querysets(listings, expression):
        found = queryset.count()
        total += found
        if skip >= found:
            skip -= found
            continue
        for obj in queryset[skip : skip + wanted] if wanted else []:
            resource = listing.adapter(obj, request=request).to_dict()
            resources.append(trim(resource, listing.kind, query.attributes, query.excluded_attributes))
        wanted -= min(wanted, found - skip)
        skip = 0
    return scim_response(
        {
            "schemas": [LIST_RESPONSE],
            "totalResults": total,
            "itemsPerPage": len(resources),
            "startIndex": query.start_index,
            "Resources": resources,
        }
    )


def _locate(name: str, kind: ResourceKind) -> tuple[str | None, str, str | None]:
    """Where an attribute named in `attributes`/`excludedAttributes` sits in a resource: (extension URN
    or None, attribute key or "" for the whole extension, sub-attribute key)."""
    try:
        path = split_attribute_path(name)
    except ParseError as exc:
        raise InvalidPath(f"{name!r} is not an attribute name.") from exc
    schema = kind.schema(path.urn)
    if schema is None:
        return path.urn, path.attribute, path.sub_attribute
    container = None if schema is kind.core else schema.urn
    attribute = schema.attribute(path.attribute) if path.attribute else None
    common = {"id": "id", "meta": "meta", "schemas": "schemas"}
    key = attribute.name if attribute else common.get(path.attribute.lower(), path.attribute)
    sub = path.sub_attribute
    if attribute and sub:
        found = attribute.sub(sub)
        sub = found.name if found else sub
    return container, key, sub


def _copy_part(source: dict[str, Any], target: dict[str, Any], key: str, sub: str | None) -> None:
    if key not in source:
        return
    value = source[key]
    if sub is None:
        target[key] = copy.deepcopy(value)
    elif isinstance(value, dict) and sub in value:
        target.setdefault(key, {})[sub] = copy.deepcopy(value[sub])
    elif isinstance(value, list):
        picked = [{sub: item[sub]} for item in value if isinstance(item, dict) and sub in item]
        if picked:
            target[key] = picked


def _drop_part(target: dict[str, Any], key: str, sub: str | None) -> None:
    if sub is None or key not in target:
        target.pop(key, None)
    elif isinstance(target[key], dict):
        target[key].pop(sub, None)
    elif isinstance(target[key], list):
        for item in target[key]:
            if isinstance(item, dict):
                item.pop(sub, None)


def trim(
    resource: dict[str, Any], kind: ResourceKind, attributes: list[str], excluded: list[str]
) -> dict[str, Any]:
    """A resource with only the `attributes` asked for, or without the `excludedAttributes`; `id` and
    `schemas` are always returned (RFC 7644 §3.4.2.5)."""
    if not attributes and not excluded:
        return resource
    if attributes:
        trimmed: dict[str, Any] = {"schemas": resource["schemas"], "id": resource["id"]}
        for name in attributes:
            container, key, sub = _locate(name, kind)
            if container is None:
                _copy_part(resource, trimmed, key, sub)
            elif container in resource:
                part = trimmed.setdefault(container, {})
                if key:
                    _copy_part(resource[container], part, key, sub)
                else:
                    part.update(copy.deepcopy(resource[container]))
    else:
        trimmed = copy.deepcopy(resource)
        for name in excluded:
            container, key, sub = _locate(name, kind)
            if container is None:
                if key.lower() not in {"id", "schemas"}:
                    _drop_part(trimmed, key, sub)
            elif container in trimmed:
                if key:
                    _drop_part(trimmed[container], key, sub)
                else:
                    trimmed.pop(container)
    for urn in list(trimmed):
        if urn.startswith("urn:") and not trimmed[urn]:
            trimmed.pop(urn)
    trimmed["schemas"] = [s for s in resource["schemas"] if s == resource["schemas"][0] or s in trimmed]
    return trimmed


# --- Users and Groups ----------------------------------------------------------------------------


class ResourceView(ScimView):
    listing: Listing
    model: type[Model]
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get_object(self, for_update: bool = False) -> Any:
        raw = self.kwargs.get("uuid")
        try:
            scim_id = uuid.UUID(str(raw))
        except ValueError:
            raise NotFound(f"No {self.listing.kind.name} has the id {raw!r}.") from None
        queryset = self.listing.one()
        if for_update:
            queryset = queryset.select_for_update()
        found = queryset.filter(scim_id=scim_id).first()
        if found is None:
            raise NotFound(f"No {self.listing.kind.name} has the id {raw!r}.")
        return found

    def respond(self, adapter: ScimUser | ScimGroup, status: int = 200) -> HttpResponse:
        query = Query.of(self.request.GET)
        resource = trim(adapter.to_dict(), self.listing.kind, query.attributes, query.excluded_attributes)
        return scim_response(resource, status=status, location=adapter.location)

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is None:
            return list_response(request, [self.listing], Query.of(request.GET))
        return self.respond(self.listing.adapter(self.get_object(), request=request))

    def post(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is not None:
            return self.http_method_not_allowed(request)
        adapter = self.listing.adapter(self.model(), request=request)
        adapter.from_dict(self.body(request))
        adapter.save()
        return self.respond(adapter, status=201)

    def put(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is None:
            return self.http_method_not_allowed(request)
        body = self.body(request)
        with transaction.atomic():
            adapter = self.listing.adapter(self.get_object(for_update=True), request=request)
            adapter.from_dict(body)
            adapter.save()
        return self.respond(adapter)

    def patch(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is None:
            return self.http_method_not_allowed(request)
        body = self.body(request)
        with transaction.atomic():
            adapter = self.listing.adapter(self.get_object(for_update=True), request=request)
            adapter.handle_operations(body.get("Operations"))
        return self.respond(adapter)

    def delete(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        if uuid is None:
            return self.http_method_not_allowed(request)
        with transaction.atomic():
            self.listing.adapter(self.get_object(for_update=True), request=request).delete()
        return HttpResponse(status=204)


class UsersView(ResourceView):
    listing = USERS
    model = User


class GroupsView(ResourceView):
    listing = GROUPS
    model = Team


class SearchView(ScimView):
    """POST `…/.search` (RFC 7644 §3.4.3): a list whose parameters travel in the body. At the root it
    searches Users and Groups together."""

    http_method_names = ["post"]
    listings: list[Listing] = [USERS, GROUPS]

    def post(self, request: HttpRequest) -> HttpResponse:
        body = self.body(request)
        if SEARCH_REQUEST not in (body.get("schemas") or []):
            raise InvalidSyntax(f"A search request's `schemas` is [{SEARCH_REQUEST!r}].")
        return list_response(request, self.listings, Query.of(body))


# --- Discovery -------------------------------------------------------------------------------------


class ServiceProviderConfigView(ScimView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return scim_response(service_provider_config(request))


def service_provider_config(request: HttpRequest) -> dict[str, Any]:
    """What Switchboard supports (RFC 7643 §5); what it does not is said so, and clients skip it."""
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": settings.SCIM_SERVICE_PROVIDER["AUTHENTICATION_SCHEMES"],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": scim_url(request, "scim:service-provider-config"),
        },
    }


def _listed(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": len(resources),
        "itemsPerPage": len(resources),
        "startIndex": 1,
        "Resources": resources,
    }


class ResourceTypesView(ScimView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        types = {a.resource_type: a.resource_type_dict(request) for a in (ScimUser, ScimGroup)}
        if uuid is None:
            return scim_response(_listed(list(types.values())))
        if uuid not in types:
            raise NotFound(f"There is no resource type {uuid!r}.")
        return scim_response(types[uuid])


class SchemasView(ScimView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, uuid: str | None = None) -> HttpResponse:
        documents = {}
        for schema in published_schemas():
            location = scim_url(request, "scim:schemas", uuid=schema["id"])
            documents[schema["id"]] = {
                **schema,
                "schemas": [SCHEMA],
                "meta": {"resourceType": "Schema", "location": location},
            }
        if uuid is None:
            return scim_response(_listed(list(documents.values())))
        if uuid not in documents:
            raise NotFound(f"There is no schema {uuid!r}.")
        return scim_response(documents[uuid])


class NotFoundView(ScimView):
    """Any other address under `/scim/v2/`: a SCIM 404, whatever the method."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise NotFound(f"Nothing is at {request.path}.")

    post = put = patch = delete = get
