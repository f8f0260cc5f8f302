"""Flow documents shipped with the product, for a first-time user to start from."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


@cache
def all_templates() -> list[dict[str, Any]]:
    """Each `*.json` beside this module: `{"id", "name", "description", "document"}`, by file name."""
    found = []
    for path in sorted(HERE.glob("*.json")):
        document = json.loads(path.read_text())
        found.append(
            {
                "id": path.stem,
                "name": document["name"],
                "description": document.get("description", ""),
                "document": document,
            }
        )
    return found
