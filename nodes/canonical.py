"""The canonical data schemas shipped with Switchboard (customer, order, product, ticket), so every flow
can speak one shared model; and the JSON Schema checking `transform.validate` does with them.

The schemas are JSON Schema 2020-12 files in `nodes/schemas/`, each with its `$id`. Formats are
checked (`email`, `date-time`, `date`, …): a schema saying `format: email` means it.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

SCHEMAS_DIR = Path(__file__).parent / "schemas"
NAMES = ("customer", "order", "product", "ticket")

# RFC 3339 §5.6: a full date, "T", a time with seconds, and an offset; Python's parser is lenient
# about all of those, so the shape is checked first.
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
)


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """One canonical schema by name (KeyError for a name not in NAMES)."""
    if name not in NAMES:
        raise KeyError(name)
    loaded: dict[str, Any] = json.loads((SCHEMAS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def all_schemas() -> list[dict[str, Any]]:
    """[{name, title, schema}] of every canonical schema, in NAMES order."""
    return [{"name": name, "title": schema(name)["title"], "schema": schema(name)} for name in NAMES]


def format_checker() -> jsonschema.FormatChecker:
    """jsonschema's format checks, with e-mail checked as Django checks addresses (jsonschema only
    looks for an @) and date-time checked without the optional package jsonschema would need."""
    checker = jsonschema.FormatChecker()
    checker.checks("email", raises=DjangoValidationError)(_email)
    checker.checks("date-time", raises=ValueError)(_date_time)
    return checker


def _email(value: object) -> bool:
    if isinstance(value, str):
        validate_email(value)
    return True


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # ValueError for 2024-02-30 and the like
    return True


def schema_problem(candidate: Any) -> str | None:
    """Why `candidate` is not a usable JSON Schema (2020-12), or None."""
    try:
        jsonschema.Draft202012Validator.check_schema(candidate)
    except jsonschema.SchemaError as error:
        where = "/".join(str(part) for part in error.absolute_path)
        return f"not a valid JSON Schema{f' at {where}' if where else ''}: {error.message}"
    return None


def errors(candidate_schema: dict[str, Any], data: Any) -> list[dict[str, str]]:
    """Every way `data` breaks the schema: [{path (a JSON Pointer, "" for the whole), message}], in
    document order."""
    validator = jsonschema.Draft202012Validator(candidate_schema, format_checker=format_checker())
    found = sorted(validator.iter_errors(data), key=lambda e: [str(part) for part in e.absolute_path])
    return [{"path": _pointer(error.absolute_path), "message": _message(error)} for error in found]


def _pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required")
    if error.validator == "format":
        return f"{error.instance!r} is not a valid {error.validator_value}"
    return str(error.message)
