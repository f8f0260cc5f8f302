"""django-scim2 adapters between SCIM resources and Switchboard's people (`User`) and teams (`Team`).

An adapter renders its object as a SCIM resource (`to_dict`) and turns a request into a write: a
body is normalised (`from_dict`) and handed to `identity.scim.services` (`save`); a PATCH is applied
to the current document first (`handle_operations`). The SCIM `id` is the object's `scim_id`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from django.urls import reverse
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.utils import get_base_scim_location_getter

from identity.models import Team, User
from identity.scim import selectors, services
from identity.scim.documents import apply_patch, normalize
from identity.scim.schemas import ENTERPRISE_USER, GROUP, GROUP_KIND, RESOURCE_TYPE, USER, USER_KIND


def scim_url(request: Any, name: str, **kwargs: Any) -> str:
    """The absolute address of a SCIM route (`meta.location`, `$ref`)."""
    return urljoin(get_base_scim_location_getter()(request), reverse(name, kwargs=kwargs or None))


def _meta(
    resource_type: str, location: str, created: datetime, modified: datetime, body: dict[str, Any]
) -> dict[str, Any]:
    # A weak version of exactly what is returned, so it changes whenever the resource does.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return {
        "resourceType": resource_type,
        "created": created.isoformat(),
        "lastModified": modified.isoformat(),
        "location": location,
        "version": f'W/"{digest}"',
    }


def _resource_type(
    request: Any, name: str, endpoint: str, schema: str, extensions: list[str]
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schemas": [RESOURCE_TYPE],
        "id": name,
        "name": name,
        "endpoint": endpoint,  # relative to the SCIM base URL (RFC 7643 §6)
        "description": {"User": "A person", "Group": "A team; its members are people"}[name],
        "schema": schema,
        "meta": {
            "resourceType": "ResourceType",
            "location": scim_url(request, "scim:resource-types", uuid=name),
        },
    }
    if extensions:
        document["schemaExtensions"] = [{"schema": urn, "required": False} for urn in extensions]
    return document


class ScimUser(SCIMUser):  # type: ignore[misc]
    url_name = "scim:users"
    resource_type = "User"
    id_field = "scim_id"
    obj: User

    def __init__(self, obj: User, request: Any = None) -> None:
        super().__init__(obj, request=request)
        self.document: dict[str, Any] = {}

    def to_dict(self) -> dict[str, Any]:
        user = self.obj
        document = selectors.user_document(user)
        resource: dict[str, Any] = {
            "schemas": [USER, ENTERPRISE_USER] if ENTERPRISE_USER in document else [USER],
            "id": str(user.scim_id),
            **document,
        }
        groups = [
            {
                "value": str(team.scim_id),
                "$ref": scim_url(self.request, "scim:groups", uuid=str(team.scim_id)),
                "display": team.name,
                "type": "direct",
            }
            for team in selectors.user_teams(user)
        ]
        if groups:
            resource["groups"] = groups
        resource["meta"] = _meta("User", self.location, user.date_joined, user.updated_at, resource)
        return resource

    def validate_dict(self, d: Any) -> None:
        """`from_dict` validates while it normalises."""

    def from_dict(self, d: Any) -> None:
        self.document = normalize(d, USER_KIND)

    def save(self) -> None:
        if self.obj.pk is None:
            self.obj = services.scim_user_create(document=self.document, actor=self.request.user)
        else:
            self.obj = services.scim_user_update(
                user=self.obj, document=self.document, actor=self.request.user, operation="replace"
            )

    def handle_operations(self, operations: Any) -> None:
        document = apply_patch(selectors.user_document(self.obj), operations, USER_KIND, self.id)
        self.obj = services.scim_user_update(
            user=self.obj, document=document, actor=self.request.user, operation="patch"
        )

    def delete(self) -> None:
        services.scim_user_delete(user=self.obj, actor=self.request.user)

    @classmethod
    def resource_type_dict(cls, request: Any = None) -> dict[str, Any]:
        return _resource_type(request, "User", "/Users", USER, [ENTERPRISE_USER])


class ScimGroup(SCIMGroup):  # type: ignore[misc]
    url_name = "scim:groups"
    resource_type = "Group"
    id_field = "scim_id"
    obj: Team

    def __init__(self, obj: Team, request: Any = None) -> None:
        super().__init__(obj, request=request)
        self.document: dict[str, Any] = {}

    def to_dict(self) -> dict[str, Any]:
        team = self.obj
        document = selectors.group_document(team)
        for member in document.get("members", []):
            member["$ref"] = scim_url(self.request, "scim:users", uuid=member["value"])
        resource: dict[str, Any] = {"schemas": [GROUP], "id": str(team.scim_id), **document}
        resource["meta"] = _meta("Group", self.location, team.created_at, team.updated_at, resource)
        return resource

    def validate_dict(self, d: Any) -> None:
        """`from_dict` validates while it normalises."""

    def from_dict(self, d: Any) -> None:
        self.document = normalize(d, GROUP_KIND)

    def save(self) -> None:
        if self.obj.pk is None:
            self.obj = services.scim_group_create(document=self.document, actor=self.request.user)
        else:
            self.obj = services.scim_group_update(
                team=self.obj, document=self.document, actor=self.request.user, operation="replace"
            )

    def handle_operations(self, operations: Any) -> None:
        document = apply_patch(selectors.group_document(self.obj), operations, GROUP_KIND, self.id)
        self.obj = services.scim_group_update(
            team=self.obj, document=document, actor=self.request.user, operation="patch"
        )

    def delete(self) -> None:
        services.scim_group_delete(team=self.obj, actor=self.request.user)

    @classmethod
    def resource_type_dict(cls, request: Any = None) -> dict[str, Any]:
        return _resource_type(request, "Group", "/Groups", GROUP, [])
