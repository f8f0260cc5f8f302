"""The SCIM schemas Switchboard publishes, and the index of attributes that reading, writing, PATCH
and filters consult, so what `/Schemas` says is what the endpoints do.

The documents start from the RFC 7643 ones shipped with django-scim2 and are adjusted where
Switchboard differs: no `password` (people provisioned here sign in through single sign-on), a
group's members are people only, and `userName`, `active` and a group's `displayName` always have a
value.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django_scim.schemas import ALL as DJANGO_SCIM_SCHEMAS

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

# Attributes every resource has (RFC 7643 §3.1) but that no schema lists.
READ_ONLY_COMMON = frozenset({"id", "meta", "schemas"})


def _attribute(attributes: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(a for a in attributes if a["name"] == name)


def _adjust(document: dict[str, Any]) -> dict[str, Any]:
    """Switchboard's version of one of django-scim2's schema documents."""
    doc = copy.deepcopy(document)
    doc.pop("meta", None)
    attributes: list[dict[str, Any]] = doc.get("attributes", [])
    if doc["id"] == USER:
        doc["attributes"] = attributes = [a for a in attributes if a["name"] != "password"]
        _attribute(attributes, "userName")["required"] = True
        # Everyone is either active or not, so `active` cannot be removed; a create that leaves it
        # out makes an active person.
        _attribute(attributes, "active")["required"] = True
        groups = _attribute(attributes, "groups")
        _attribute(groups["subAttributes"], "$ref")["referenceTypes"] = ["Group"]
        _attribute(groups["subAttributes"], "type")["canonicalValues"] = ["direct"]
    elif doc["id"] == GROUP:
        display_name = _attribute(attributes, "displayName")
        display_name.update(required=True, uniqueness="server")
        members = _attribute(attributes, "members")
        _attribute(members["subAttributes"], "$ref")["referenceTypes"] = ["User"]
        _attribute(members["subAttributes"], "type")["canonicalValues"] = ["User"]
    return doc


@cache
def _documents() -> tuple[dict[str, Any], ...]:
    return tuple(sorted((_adjust(d) for d in DJANGO_SCIM_SCHEMAS), key=lambda d: str(d["id"])))


def published_schemas() -> list[dict[str, Any]]:
    """Every schema `/Schemas` lists (without `meta`, which depends on the request's address)."""
    return copy.deepcopy(list(_documents()))


@dataclass(frozen=True)
class Attribute:
    """One attribute of a schema, as the endpoints need it."""

    name: str  # as the schema spells it; SCIM attribute names are case-insensitive
    type: str
    multi_valued: bool = False
    mutability: str = "readWrite"
    case_exact: bool = False
    sub_attributes: dict[str, Attribute] = field(default_factory=dict)  # by lowercased name

    @property
    def read_only(self) -> bool:
        return self.mutability == "readOnly"

    def sub(self, name: str) -> Attribute | None:
        return self.sub_attributes.get(name.lower())


def _index(attributes: Iterable[dict[str, Any]]) -> dict[str, Attribute]:
    return {
        a["name"].lower(): Attribute(
            name=a["name"],
            type=a["type"],
            multi_valued=bool(a.get("multiValued")),
            mutability=a.get("mutability", "readWrite"),
            case_exact=bool(a.get("caseExact")),
            sub_attributes=_index(a.get("subAttributes", [])),
        )
        for a in attributes
    }


@dataclass(frozen=True)
class Schema:
    urn: str
    attributes: dict[str, Attribute]  # by lowercased name

    def attribute(self, name: str) -> Attribute | None:
        return self.attributes.get(name.lower())


@dataclass(frozen=True)
class ResourceKind:
    """A resource type: its core schema and the extensions it accepts."""

    name: str
    core: Schema
    extensions: dict[str, Schema]  # by lowercased URN

    def extension(self, urn: str) -> Schema | None:
        return self.extensions.get(urn.lower())

    def schema(self, urn: str | None) -> Schema | None:
        if urn is None or urn.lower() == self.core.urn.lower():
            return self.core
        return self.extension(urn)


def _schema(urn: str) -> Schema:
    document = next(d for d in _documents() if d["id"] == urn)
    attributes = _index(document["attributes"])
    # `externalId` is common to every resource (RFC 7643 §3.1); set by the provider, case-exact.
    attributes["externalid"] = Attribute(name="externalId", type="string", case_exact=True)
    return Schema(urn=urn, attributes=attributes)


def _extension(urn: str) -> Schema:
    document = next(d for d in _documents() if d["id"] == urn)
    return Schema(urn=urn, attributes=_index(document["attributes"]))


USER_KIND = ResourceKind(
    name="User", core=_schema(USER), extensions={ENTERPRISE_USER.lower(): _extension(ENTERPRISE_USER)}
)
GROUP_KIND = ResourceKind(name="Group", core=_schema(GROUP), extensions={})
KNOWN_URNS = (USER, GROUP, ENTERPRISE_USER)
