"""SCIM resource documents as Switchboard keeps them, and PATCH (RFC 7644 §3.5.2) applied to them.

A document is normalised against the published schema: attribute names in the schema's spelling,
booleans that are booleans (Microsoft Entra sends "False"), one primary value at most, and read-only
or unknown attributes left out. PATCH works on the whole document, whatever shape the operation
takes — Okta's path-less `replace` with an object, Entra's capitalised op names, value-filter paths
such as `emails[type eq "work"].value`, extension attributes, members added or removed by list or by
filter — and the result is written as a replacement would be.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from identity.scim.errors import InvalidPath, InvalidSyntax, InvalidValue, Mutability, NoTarget
from identity.scim.filters import Expression, equalities, matches, parse_patch_path
from identity.scim.schemas import READ_ONLY_COMMON, Attribute, ResourceKind, Schema

_BOOLEANS = {"true": True, "false": False}


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def to_boolean(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise InvalidValue(f"`{where}` is true or false, not {value!r}.")


def normalize(document: Any, kind: ResourceKind) -> dict[str, Any]:
    """The attributes of a resource document Switchboard keeps, in the schema's spelling."""
    if not isinstance(document, Mapping):
        raise InvalidSyntax(f"A {kind.name} is a JSON object.")
    normalized: dict[str, Any] = {}
    for key, value in document.items():
        extension = kind.extension(str(key))
        if extension is not None:
            if not _empty(value):
                if not isinstance(value, Mapping):
                    raise InvalidValue(f"`{extension.urn}` is an object of attributes.")
                attributes = _attributes(value, extension, extension.urn)
                if attributes:
                    normalized[extension.urn] = attributes
            continue
        attribute = kind.core.attribute(str(key))
        # Read-only attributes in a request are ignored (RFC 7644 §3.3), and so are unknown ones
        # (custom extensions, `password`).
        if attribute is None or attribute.read_only:
            continue
        converted = _value(attribute, value, attribute.name)
        if not _empty(converted):
            normalized[attribute.name] = converted
    return normalized


def _attributes(values: Mapping[str, Any], schema: Schema | Attribute, where: str) -> dict[str, Any]:
    lookup = schema.attribute if isinstance(schema, Schema) else schema.sub
    kept: dict[str, Any] = {}
    for key, value in values.items():
        attribute = lookup(str(key))
        if attribute is None or attribute.read_only:
            continue
        converted = _value(attribute, value, f"{where}.{attribute.name}")
        if not _empty(converted):
            kept[attribute.name] = converted
    return kept


def _value(attribute: Attribute, value: Any, where: str) -> Any:
    if value is None:
        return None
    if not attribute.multi_valued:
        if isinstance(value, list):
            raise InvalidValue(f"`{where}` takes one value, not a list.")
        return _single(attribute, value, where)
    # OneLogin and others send a lone object where a list belongs.
    items = [_single(attribute, item, where) for item in (value if isinstance(value, list) else [value])]
    items = [item for item in items if not _empty(item)]
    if attribute.type == "complex":
        _keep_one_primary(items)
    return items


def _single(attribute: Attribute, value: Any, where: str) -> Any:
    if value is None:
        return None
    if attribute.type == "complex":
        if isinstance(value, str) and attribute.sub("value") is not None:
            value = {"value": value}  # Entra sends a manager as the manager's id alone
        if not isinstance(value, Mapping):
            raise InvalidValue(f"`{where}` is an object of sub-attributes, not {value!r}.")
        return _attributes(value, attribute, where)
    if attribute.type == "boolean":
        return to_boolean(value, where)
    if isinstance(value, bool) or isinstance(value, Mapping | list):
        raise InvalidValue(f"`{where}` is text, not {value!r}.")
    if isinstance(value, int | float):
        return str(value)  # an employee number sent as a number
    if "\x00" in value:
        raise InvalidValue(f"`{where}` contains a NUL character.")  # PostgreSQL cannot store one
    return value


def _keep_one_primary(items: list[Any]) -> None:
    """`primary: true` appears at most once (RFC 7643 §2.4); the first one stays."""
    seen = False
    for item in items:
        if isinstance(item, dict) and item.get("primary") is True:
            if seen:
                item["primary"] = False
            seen = True


# --- PATCH ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """Where an operation applies: an attribute of the core schema (`container` None) or of an
    extension, or (`attribute` None) a whole extension; maybe narrowed by a value filter and to a
    sub-attribute."""

    container: Schema | None
    attribute: Attribute | None
    value_filter: Expression | None = None
    sub: Attribute | None = None
    text: str = ""


def apply_patch(
    document: dict[str, Any], operations: Any, kind: ResourceKind, resource_id: str
) -> dict[str, Any]:
    """The document after a PATCH request's operations, applied in order, all or none."""
    if not isinstance(operations, list) or not operations:
        raise InvalidSyntax("A PATCH request carries a non-empty `Operations` list.")
    patched = copy.deepcopy(document)
    for operation in operations:
        if not isinstance(operation, Mapping):
            raise InvalidSyntax("Each PATCH operation is an object with `op`, `path` and `value`.")
        op = str(operation.get("op", "")).lower()  # Entra sends "Add", "Replace", "Remove"
        if op not in {"add", "replace", "remove"}:
            raise InvalidSyntax(
                f"{operation.get('op')!r} is not a PATCH operation; use add, replace or remove."
            )
        path, value = operation.get("path"), operation.get("value")
        if path is None or path == "":
            if op == "remove":
                raise NoTarget("A remove operation needs a `path`.")
            _apply_object(patched, op, value, kind, resource_id)
            continue
        if not isinstance(path, str):
            raise InvalidPath(f"A path is text, not {path!r}.")
        target = _resolve(path, kind)
        if target is not None:
            _apply(patched, op, target, value)
    return normalize(patched, kind)


def _apply_object(
    document: dict[str, Any], op: str, value: Any, kind: ResourceKind, resource_id: str
) -> None:
    """A path-less add or replace: each key of the value is an attribute, or (as Entra writes them) a
    path such as `name.givenName`, `emails[type eq "work"].value` or an extension attribute's URN."""
    if not isinstance(value, Mapping):
        raise InvalidValue("Without a `path`, the value of an operation is an object of attributes.")
    for key, item in value.items():
        name = str(key)
        if name.lower() in READ_ONLY_COMMON:
            # Okta repeats the group's `id` when it renames one.
            if name.lower() == "id" and str(item) != resource_id:
                raise Mutability("`id` is assigned by Switchboard and cannot change.")
            continue
        target = _resolve(name, kind)
        if target is not None:
            _apply(document, op, target, item)


def _resolve(text: str, kind: ResourceKind) -> _Target | None:
    """What a path names; None for an attribute or extension Switchboard does not keep (ignored)."""
    parsed = parse_patch_path(text)
    path = parsed.path
    if path.urn is None and path.attribute.lower() in READ_ONLY_COMMON:
        raise Mutability(f"`{path.attribute}` is read-only.")
    schema = kind.schema(path.urn)
    if schema is None:
        return None
    container = None if schema is kind.core else schema
    if not path.attribute:
        if container is None:
            raise InvalidPath(f"{text!r} names a whole resource; name an attribute.")
        return _Target(container=container, attribute=None, text=text)
    attribute = schema.attribute(path.attribute)
    if attribute is None:
        return None
    if attribute.read_only:
        raise Mutability(f"`{attribute.name}` is read-only.")
    if parsed.value_filter is not None and not attribute.multi_valued:
        raise InvalidPath(f"{text!r}: only a multi-valued attribute takes a value filter.")
    sub_name = parsed.sub_attribute or path.sub_attribute
    sub: Attribute | None = None
    if sub_name:
        sub = attribute.sub(sub_name)
        if sub is None:
            if attribute.type != "complex":
                raise InvalidPath(f"{text!r}: `{attribute.name}` has no sub-attributes.")
            return None
        if sub.read_only:
            raise Mutability(f"`{attribute.name}.{sub.name}` is read-only.")
        if attribute.multi_valued and parsed.value_filter is None:
            raise InvalidPath(
                f'{text!r}: choose the values with a filter, e.g. emails[type eq "work"].value.'
            )
    return _Target(container, attribute, parsed.value_filter, sub, text)


def _holder(document: dict[str, Any], target: _Target, create: bool) -> dict[str, Any] | None:
    if target.container is None:
        return document
    current = document.get(target.container.urn)
    if not isinstance(current, dict):
        if not create:
            return None
        current = document[target.container.urn] = {}
    return current


def _apply(document: dict[str, Any], op: str, target: _Target, value: Any) -> None:
    if op == "remove" or value is None:  # a null value leaves the attribute unassigned
        _remove(document, target, value)
        return
    holder = _holder(document, target, create=True)
    assert holder is not None
    if target.attribute is None:  # a whole extension: its attributes, one by one
        assert target.container is not None
        if not isinstance(value, Mapping):
            raise InvalidValue(f"`{target.container.urn}` is an object of attributes.")
        for key, item in value.items():
            attribute = target.container.attribute(str(key))
            if attribute is not None and not attribute.read_only:
                _apply(document, op, _Target(target.container, attribute, text=str(key)), item)
        return
    attribute, name = target.attribute, target.attribute.name
    if target.value_filter is not None:
        _apply_to_matching(holder, target, value)
    elif target.sub is not None:  # name.givenName, urn:…:User:manager.value
        current = holder.get(name)
        holder[name] = {**(current if isinstance(current, dict) else {}), target.sub.name: value}
    elif attribute.multi_valued:
        items = _value(attribute, value, name)
        if op == "replace":
            holder[name] = items
        else:
            existing = [i for i in holder.get(name) or [] if not _same_value(i, items)]
            if any(isinstance(i, dict) and i.get("primary") is True for i in items):
                for item in existing:
                    if isinstance(item, dict) and item.get("primary") is True:
                        item["primary"] = False
            holder[name] = existing + items
    elif attribute.type == "complex":
        # Both add and replace leave the sub-attributes the value does not name (RFC 7644 §3.5.2.3).
        current = holder.get(name)
        holder[name] = {**(current if isinstance(current, dict) else {}), **_single(attribute, value, name)}
    else:
        holder[name] = value


def _same_value(existing: Any, new_items: list[Any]) -> bool:
    """Adding a value that is already there replaces it rather than adding it twice; two values with
    the same `value` (a member's id, an e-mail address) are the same."""
    for item in new_items:
        if existing == item:
            return True
        if isinstance(existing, dict) and isinstance(item, dict) and "value" in item and "value" in existing:
            if str(existing["value"]) == str(item["value"]):
                return True
    return False


def _matching(holder: dict[str, Any], target: _Target) -> list[dict[str, Any]]:
    assert target.attribute is not None and target.value_filter is not None
    attribute = target.attribute

    def case_exact(name: str) -> bool:
        sub = attribute.sub(name)
        return sub is not None and sub.case_exact

    items = holder.get(attribute.name) or []
    return [i for i in items if isinstance(i, dict) and matches(target.value_filter, i, case_exact)]


def _apply_to_matching(holder: dict[str, Any], target: _Target, value: Any) -> None:
    """`emails[type eq "work"].value`: set on every matching value; when none matches and the filter
    only pins sub-attributes with `eq`, the value is created (Entra adds a first work e-mail so)."""
    assert target.attribute is not None and target.value_filter is not None
    attribute = target.attribute
    hits = _matching(holder, target)
    if not hits:
        pinned = equalities(target.value_filter)
        if pinned is None:
            raise NoTarget(f"No value of `{attribute.name}` matches {target.text!r}.")
        created = _single(attribute, pinned, attribute.name)
        holder[attribute.name] = [*(holder.get(attribute.name) or []), created]
        hits = [created]
    for item in hits:
        if target.sub is not None:
            item[target.sub.name] = value
        else:
            item.update(_single(attribute, value, attribute.name))
    if any(str(item.get("primary")).lower() == "true" for item in hits):
        for item in holder[attribute.name]:
            if isinstance(item, dict) and item.get("primary") is True and not any(item is h for h in hits):
                item["primary"] = False


def _remove(document: dict[str, Any], target: _Target, value: Any) -> None:
    holder = _holder(document, target, create=False)
    if holder is None:
        return
    if target.attribute is None:
        assert target.container is not None
        document.pop(target.container.urn, None)
        return
    attribute, name = target.attribute, target.attribute.name
    if name not in holder:
        return
    if target.value_filter is not None:
        hits = _matching(holder, target)
        if target.sub is not None:
            for item in hits:
                item.pop(target.sub.name, None)
        else:
            holder[name] = [i for i in holder[name] if not any(i is hit for hit in hits)]
    elif target.sub is not None:
        if isinstance(holder[name], dict):
            holder[name].pop(target.sub.name, None)
    elif attribute.multi_valued and value is not None:
        # Entra's older shape: {"op": "Remove", "path": "members", "value": [{"value": "<id>"}]}.
        listed = value if isinstance(value, list) else [value]
        gone = {str(v.get("value")) for v in listed if isinstance(v, Mapping) and "value" in v}
        holder[name] = [i for i in holder[name] if not (isinstance(i, dict) and str(i.get("value")) in gone)]
    else:
        del holder[name]
