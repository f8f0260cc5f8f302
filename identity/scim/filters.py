"""SCIM filters and PATCH paths (RFC 7644 §3.4.2.2 and §3.5.2): parsed here, then evaluated either as
Django `Q` objects over people and teams, or against the values of a multi-valued attribute.

Filters become ORM expressions, never SQL text, and every comparison is chosen to mean the same on
SQLite and PostgreSQL: case-exact substring tests use `INSTR`/`STRPOS` and `SUBSTR`/`LEFT` (SQLite's
`LIKE` ignores case), case-insensitive ones Django's `i…` lookups. scim2-filter-parser is not used:
its grammar gives `and` and `or` the same precedence, and its Django transpiler ignores attributes it
does not know and `caseExact`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Left, Right, StrIndex
from django.db.models.lookups import Exact, GreaterThan

from identity.models import Membership
from identity.scim.errors import InvalidFilter, InvalidPath
from identity.scim.schemas import KNOWN_URNS, ResourceKind

COMPARISONS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<open>\() | (?P<close>\)) | (?P<open_bracket>\[) | (?P<close_bracket>\]) |
        (?P<string>"(?:[^"\\]|\\.)*") |
        (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?) |
        (?P<sub_attribute>\.[A-Za-z$][\w$-]*) |
        (?P<word>[A-Za-z$][\w$:.-]*)
    )""",
    re.VERBOSE,
)


class ParseError(ValueError):
    pass


@dataclass(frozen=True)
class AttrPath:
    """`[URN:]attribute[.subAttribute]`; `urn` None means the resource's core schema, `attribute` ""
    a whole extension (a PATCH path may name one)."""

    urn: str | None
    attribute: str
    sub_attribute: str | None = None


@dataclass(frozen=True)
class Comparison:
    path: AttrPath
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: AttrPath


@dataclass(frozen=True)
class Logical:
    op: str  # "and" or "or"
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Not:
    expression: Expression


@dataclass(frozen=True)
class ValuePath:
    """`emails[type eq "work"]`: the inner filter's paths name sub-attributes of `path`."""

    path: AttrPath
    expression: Expression


Expression = Comparison | Present | Logical | Not | ValuePath


@dataclass(frozen=True)
class PatchPath:
    """A PATCH `path`: an attribute, optionally narrowed to some of its values by a filter, and
    optionally to one sub-attribute of those (`emails[type eq "work"].value`)."""

    path: AttrPath
    value_filter: Expression | None = None
    sub_attribute: str | None = None


def split_attribute_path(text: str) -> AttrPath:
    """`name.givenName`, `urn:…:enterprise:2.0:User:manager.value`, or a bare extension URN. URNs contain
    dots and colons ("2.0"), so known ones are recognised whole before anything is split."""
    urn: str | None = None
    rest = text
    if text.lower().startswith("urn:"):
        lowered = text.lower()
        known = next(
            (u for u in KNOWN_URNS if lowered == u.lower() or lowered.startswith(u.lower() + ":")), None
        )
        if known is not None:
            urn, rest = known, text[len(known) + 1 :]
        else:
            urn, _, rest = text.rpartition(":")
        if not rest:
            return AttrPath(urn=urn, attribute="")
    attribute, dot, sub_attribute = rest.partition(".")
    if not attribute or (dot and (not sub_attribute or "." in sub_attribute)):
        raise ParseError(f"{text!r} is not an attribute path.")
    return AttrPath(urn=urn, attribute=attribute, sub_attribute=sub_attribute or None)


class _Parser:
    """Recursive descent over the tokens; `or` binds loosest, then `and`, then `not`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].isspace():
                break
            match = _TOKEN.match(text, position)
            if match is None or match.lastgroup is None:
                raise ParseError(
                    f"Unexpected text at position {position}: {text[position : position + 20]!r}."
                )
            self.tokens.append((match.lastgroup, match.group(match.lastgroup)))
            position = match.end()
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ParseError(f"{self.text!r} ends too early.")
        if kind is not None and token[0] != kind:
            raise ParseError(f"Expected {kind.replace('_', ' ')} but found {token[1]!r}.")
        self.index += 1
        return token

    def at(self, kind: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == kind

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.index += 1
            return token[1].lower()
        return None

    def done(self) -> None:
        token = self.peek()
        if token is not None:
            raise ParseError(f"Unexpected {token[1]!r} in {self.text!r}.")

    def expression(self) -> Expression:
        left = self.conjunction()
        while self.keyword("or"):
            left = Logical("or", left, self.conjunction())
        return left

    def conjunction(self) -> Expression:
        left = self.factor()
        while self.keyword("and"):
            left = Logical("and", left, self.factor())
        return left

    def factor(self) -> Expression:
        if self.keyword("not"):
            self.take("open")
            inner = self.expression()
            self.take("close")
            return Not(inner)
        if self.at("open"):
            self.take("open")
            inner = self.expression()
            self.take("close")
            return inner
        path = split_attribute_path(self.take("word")[1])
        if self.at("open_bracket"):
            self.take("open_bracket")
            inner = self.expression()
            self.take("close_bracket")
            return ValuePath(path, inner)
        op = self.take("word")[1].lower()
        if op == "pr":
            return Present(path)
        if op not in COMPARISONS:
            raise ParseError(f"{op!r} is not a SCIM comparison operator.")
        return Comparison(path, op, self.value())

    def value(self) -> Any:
        kind, text = self.take()
        if kind in {"string", "number"}:
            try:
                return json.loads(text)  # SCIM values are JSON values (RFC 7644 §3.4.2.2)
            except ValueError as exc:
                raise ParseError(f"{text} is not a valid JSON {kind}.") from exc
        if kind == "word" and text.lower() in {"true", "false", "null"}:
            return {"true": True, "false": False, "null": None}[text.lower()]
        raise ParseError(f"{text!r} is not a value (a quoted string, number, true, false or null).")


def parse_filter(text: str) -> Expression:
    try:
        parser = _Parser(text)
        expression = parser.expression()
        parser.done()
    except ParseError as exc:
        raise InvalidFilter(f"The filter is not valid: {exc}") from exc
    return expression


def parse_patch_path(text: str) -> PatchPath:
    try:
        parser = _Parser(text)
        path = split_attribute_path(parser.take("word")[1])
        value_filter: Expression | None = None
        sub_attribute: str | None = None
        if parser.at("open_bracket"):
            if path.sub_attribute:
                raise ParseError("A value filter follows an attribute, not a sub-attribute.")
            parser.take("open_bracket")
            value_filter = parser.expression()
            parser.take("close_bracket")
            if parser.at("sub_attribute"):
                sub_attribute = parser.take("sub_attribute")[1][1:]
        parser.done()
    except ParseError as exc:
        raise InvalidPath(f"The path {text!r} is not valid: {exc}") from exc
    if value_filter is None:
        return PatchPath(path=path)
    return PatchPath(path=path, value_filter=value_filter, sub_attribute=sub_attribute)


# --- Filters over the database ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """How one filterable SCIM attribute is stored: a text column, the `active` flag, the SCIM id, all
    e-mail addresses, or a team's members."""

    kind: str  # "text", "boolean", "id", "emails" or "members"
    name: str = ""
    case_exact: bool = False


USER_COLUMNS: dict[str, Column] = {
    "username": Column("text", "username"),  # caseExact false (RFC 7643 §4.1.1)
    "externalid": Column("text", "scim_external_id", case_exact=True),
    "displayname": Column("text", "display_name"),
    "name.givenname": Column("text", "first_name"),
    "name.familyname": Column("text", "last_name"),
    "active": Column("boolean", "is_active"),
    "id": Column("id", "scim_id"),
    "emails.value": Column("emails"),
}
GROUP_COLUMNS: dict[str, Column] = {
    "displayname": Column("text", "name"),
    "externalid": Column("text", "scim_external_id", case_exact=True),
    "id": Column("id", "scim_id"),
    "members.value": Column("members"),
}
# A multi-valued attribute named alone in a filter (`emails eq "…"`) compares its `value`s.
_MULTI_VALUED = {"emails", "members"}


def _column_for(
    path: AttrPath, kind: ResourceKind, columns: Mapping[str, Column], within: str | None
) -> Column:
    if path.urn is not None and kind.schema(path.urn) is not kind.core:
        raise InvalidFilter(f"Filtering on {path.urn}:{path.attribute} is not supported.")
    key = path.attribute.lower()
    if within is not None:
        key = f"{within}.{key}"
    if path.sub_attribute:
        key = f"{key}.{path.sub_attribute.lower()}"
    elif key in _MULTI_VALUED:
        key = f"{key}.value"
    column = columns.get(key)
    if column is None:
        filterable = ", ".join(sorted({k.split(".")[0] if k.endswith(".value") else k for k in columns}))
        raise InvalidFilter(
            f"{kind.name}s cannot be filtered on {key!r}; the filterable attributes are: {filterable}."
        )
    return column


def filter_q(expression: Expression, kind: ResourceKind, columns: Mapping[str, Column]) -> Q:
    """The `Q` that selects the resources a filter matches; InvalidFilter for what cannot be evaluated."""
    return _q(expression, kind, columns, within=None)


def _q(expression: Expression, kind: ResourceKind, columns: Mapping[str, Column], within: str | None) -> Q:
    if isinstance(expression, Logical):
        left, right = _q(expression.left, kind, columns, within), _q(expression.right, kind, columns, within)
        return left & right if expression.op == "and" else left | right
    if isinstance(expression, Not):
        return ~_q(expression.expression, kind, columns, within)
    if isinstance(expression, ValuePath):
        if within is not None or expression.path.sub_attribute:
            raise InvalidFilter("A value filter cannot be nested.")
        return _q(expression.expression, kind, columns, within=expression.path.attribute.lower())
    column = _column_for(expression.path, kind, columns, within)
    if isinstance(expression, Present):
        return _present(column)
    return _compare(column, expression.op, expression.value)


def _contains(column: Any, text: str) -> Q:
    return Q(GreaterThan(StrIndex(column, Value(text)), 0))


def _present(column: Column) -> Q:
    if column.kind == "text":
        return Q(**{f"{column.name}__isnull": False}) & ~Q(**{column.name: ""})
    if column.kind == "emails":
        return ~Q(email="") | ~Q(scim_emails="")
    if column.kind == "members":
        return Q(pk__in=Membership.objects.values("team"))
    return Q(pk__isnull=False)  # `active` and `id` always have a value


def _compare(column: Column, op: str, value: Any) -> Q:
    if column.kind == "boolean":
        return _compare_boolean(column, op, value)
    if not isinstance(value, str):
        raise InvalidFilter(f"Compare this attribute with a quoted string, not {json.dumps(value)}.")
    if op == "ne":
        return ~_compare(column, "eq", value)
    if column.kind == "id":
        return _compare_id(column, op, value)
    if column.kind == "members":
        if op != "eq":
            raise InvalidFilter("Members can be compared with `eq` only.")
        return _compare_id(Column("id", "pk"), op, value, members=True)
    if column.kind == "emails":
        return _compare_emails(op, value)
    return _compare_text(column, op, value)


def _compare_text(column: Column, op: str, value: str) -> Q:
    if column.case_exact:
        text = Coalesce(F(column.name), Value(""))
        exact: dict[str, Callable[[], Q]] = {
            "eq": lambda: Q(**{column.name: value}),
            "co": lambda: _contains(text, value),
            "sw": lambda: Q(Exact(Left(text, len(value)), Value(value))),
            "ew": lambda: Q(Exact(Right(text, len(value)), Value(value))),
        }
        if op in exact:
            return exact[op]()
    else:
        lookups = {"eq": "iexact", "co": "icontains", "sw": "istartswith", "ew": "iendswith"}
        if op in lookups:
            return Q(**{f"{column.name}__{lookups[op]}": value})
    raise InvalidFilter(f"The operator {op!r} is not supported on text attributes; use eq, ne, co, sw or ew.")


def _compare_emails(op: str, value: str) -> Q:
    """`scim_emails` holds every address lowercased between newlines; `email` the primary one, for
    people who were not provisioned over SCIM."""
    if "\n" in value:
        return Q(pk__in=[])
    lowered = value.lower()
    needles = {"eq": f"\n{lowered}\n", "co": lowered, "sw": f"\n{lowered}", "ew": f"{lowered}\n"}
    lookups = {"eq": "iexact", "co": "icontains", "sw": "istartswith", "ew": "iendswith"}
    if op not in needles:
        raise InvalidFilter(f"The operator {op!r} is not supported on emails; use eq, ne, co, sw or ew.")
    return Q(**{f"email__{lookups[op]}": value}) | _contains(F("scim_emails"), needles[op])


def _compare_id(column: Column, op: str, value: str, members: bool = False) -> Q:
    if op != "eq":
        raise InvalidFilter("Ids can be compared with `eq` and `ne` only.")
    try:
        scim_id = uuid.UUID(value)
    except ValueError:
        return Q(pk__in=[])  # no resource has an id of another shape
    if members:
        return Q(pk__in=Membership.objects.filter(user__scim_id=scim_id).values("team"))
    return Q(**{column.name: scim_id})


_BOOLEAN_TEXT = {"true": True, "false": False}


def _compare_boolean(column: Column, op: str, value: Any) -> Q:
    if isinstance(value, str) and value.lower() in _BOOLEAN_TEXT:
        value = _BOOLEAN_TEXT[value.lower()]  # Microsoft Entra writes booleans as "True"/"False"
    if not isinstance(value, bool):
        raise InvalidFilter(f"Compare `active` with true or false, not {json.dumps(value)}.")
    if op == "eq":
        return Q(**{column.name: value})
    if op == "ne":
        return Q(**{column.name: not value})
    raise InvalidFilter(f"The operator {op!r} is not supported on `active`; use eq or ne.")


# --- Filters over the values of a multi-valued attribute (PATCH paths) -------------------------------


def matches(expression: Expression, item: Mapping[str, Any], case_exact: Callable[[str], bool]) -> bool:
    """Whether one value of a multi-valued attribute (`{"type": "work", "value": …}`) matches a
    value filter; `case_exact(name)` tells how a sub-attribute's text compares."""
    if isinstance(expression, Logical):
        left = matches(expression.left, item, case_exact)
        if expression.op == "and":
            return left and matches(expression.right, item, case_exact)
        return left or matches(expression.right, item, case_exact)
    if isinstance(expression, Not):
        return not matches(expression.expression, item, case_exact)
    if isinstance(expression, ValuePath):
        raise InvalidPath("A value filter cannot be nested.")
    name = expression.path.attribute
    actual = next((v for k, v in item.items() if k.lower() == name.lower()), None)
    if isinstance(expression, Present):
        return actual not in (None, "", [], {})
    return _compare_values(actual, expression.op, expression.value, case_exact(name))


def _compare_values(actual: Any, op: str, expected: Any, case_exact: bool) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        actual, expected = (_BOOLEAN_TEXT.get(str(v).lower(), v) for v in (actual, expected))
    if isinstance(actual, str) and isinstance(expected, str) and not case_exact:
        actual, expected = actual.casefold(), expected.casefold()
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if not (isinstance(actual, str) and isinstance(expected, str)):
        return False
    return {
        "co": expected in actual,
        "sw": actual.startswith(expected),
        "ew": actual.endswith(expected),
        "gt": actual > expected,
        "ge": actual >= expected,
        "lt": actual < expected,
        "le": actual <= expected,
    }[op]


def equalities(expression: Expression) -> dict[str, Any] | None:
    """The sub-attribute values an `eq`-only filter pins (`type eq "work"` → {"type": "work"}), used to
    create the value a PATCH names when none matches yet; None for any other filter."""
    if isinstance(expression, Comparison) and expression.op == "eq" and not expression.path.sub_attribute:
        return {expression.path.attribute: expression.value}
    if isinstance(expression, Logical) and expression.op == "and":
        left, right = equalities(expression.left), equalities(expression.right)
        if left is not None and right is not None:
            return {**left, **right}
    return None
