"""scim2-tester, an RFC 7643/7644 conformance checker, against a running Switchboard over HTTP: it
discovers what the server says it supports and exercises all of it, and every check passes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from scim2_tester import Status, check_server

# What the checker must have exercised for each resource type, so that "nothing failed" cannot mean
# "nothing ran" (it stops early when discovery fails).
EXERCISED = {
    "object_creation",
    "object_query",
    "object_query_without_id",
    "object_query_with_attributes",
    "object_list_with_attributes",
    "search_with_attributes",
    "object_replacement",
    "object_deletion",
    "check_add_attribute",
    "check_remove_attribute",
    "check_replace_attribute",
}


def test_scim2_tester_passes_every_check(transactional_db: Any, live_scim_client: Any) -> None:
    # Given a running Switchboard and a token from `manage.py scimtoken`
    # when scim2-tester discovers the server and runs all its checks against it
    results = check_server(live_scim_client)

    # then every check succeeded: none failed, and none was skipped
    problems = [
        f"{r.status.name} {r.resource_type or '-'} {r.title}: {r.reason}"
        for r in results
        if r.status is not Status.SUCCESS
    ]
    assert not problems, "\n".join(problems)

    # and it covered discovery, then create/read/list/search/replace/delete and PATCH for both types
    titles = {(r.resource_type, r.title) for r in results}
    for resource_type in ("User", "Group"):
        assert {(resource_type, title) for title in EXERCISED} <= titles
    assert {"service_provider_config_endpoint", "query_all_schemas", "query_all_resource_types"} <= {
        title for _, title in titles
    }
    per_type = Counter(r.resource_type for r in results)
    assert per_type["User"] > 60 and per_type["Group"] > 10  # PATCH checks ran attribute by attribute
