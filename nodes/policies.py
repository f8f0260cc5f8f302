"""Policies on node use: what a team's flows may use, and the instance's data-loss-prevention groups.

The rules are checked twice with the same code: when a version is submitted (every violation refused
at once, each naming its node) and again before each step runs, because an admin may tighten a
policy after a version was approved. The run-time check never changes the live version; the step
fails with the rule's message, like any other failure.

Rules, for a flow of team T:
- node types: when T's `allowed_node_types` is not empty, each node's type must be listed there,
  exactly or by its category (`trigger.*`, `transform.*`; actions are always named one by one, so a
  newly installed action is never allowed by accident). Imported connectors' operations are allowed
  one by one, all of one connector (`connector.crm.*`), or all connectors (`connector.*`): an admin
  who writes those means them;
- hosts: when T's `allowed_hosts` is not empty, `action.http`, `action.webhook` and every connector
  operation (on its server, or the node's `server` override) may call only those hosts
  (`*.example.com` allows every subdomain of example.com, at any depth, but not example.com itself).
  A templated URL's host is checked when known: a literal host at submit, the host actually called at
  run time (in `nodes.outbound.send`). `EGRESS_ALLOW` still applies on top;
- sensitive: nodes of a type in T's `require_sensitive` must be marked `"sensitive": true`;
- data-loss prevention (the whole instance): a blocked type may not be used; one flow may not mix
  business and non-business types. A type nobody classified takes the policy's default group, except
  the types that move no data in or out (every `transform.*`, `trigger.manual`, `trigger.schedule`),
  which stay out of DLP unless classified explicitly.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hub.problems import ErrorItem
from nodes import registry

HOST_CHECKED_TYPES = frozenset({"action.http", "action.webhook"})
CONNECTOR_PREFIX = "connector."  # imported connectors' operations: connector.<name>.<operation>
WILDCARD_CATEGORIES = ("trigger", "transform", "connector")
_CONNECTOR_WILDCARD = re.compile(r"^connector\.[a-z][a-z0-9_]{0,62}\.\*$")
# Types that move no data in or out of the instance: outside DLP unless an admin classifies them.
DLP_EXEMPT_TYPES = frozenset({"trigger.manual", "trigger.schedule"})
DLP_EXEMPT_CATEGORIES = frozenset({"transform"})
GROUP_NAMES = {"business": "Business", "non_business": "Non-business", "blocked": "Blocked"}
EXEMPT = "exempt"

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SHOWN = 8  # items of a list named in a message before "and N more"


@dataclass(frozen=True)
class Violation:
    """One rule a node breaks. `field` points the editor at what to change."""

    node: str
    field: str
    message: str

    def as_error(self) -> ErrorItem:
        return ErrorItem(node=self.node, field=self.field, message=self.message)


@dataclass(frozen=True)
class TeamRules:
    team_name: str
    allowed_node_types: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    require_sensitive: tuple[str, ...] = ()


@dataclass(frozen=True)
class DlpRules:
    classification: Mapping[str, str] = field(default_factory=dict)
    default_group: str = "non_business"

    def group_of(self, node_type: str) -> str:
        """business, non_business, blocked, or `exempt` (outside DLP)."""
        if node_type in self.classification:
            return self.classification[node_type]
        if node_type in DLP_EXEMPT_TYPES or node_type.split(".", 1)[0] in DLP_EXEMPT_CATEGORIES:
            return EXEMPT
        return self.default_group


@dataclass(frozen=True)
class Policies:
    """The rules that apply to one team's flows."""

    team: TeamRules
    dlp: DlpRules

    def violations(self, nodes: Iterable[Mapping[str, Any]]) -> list[Violation]:
        """Every violation of a flow's nodes, in the nodes' order."""
        nodes = [n for n in nodes if isinstance(n, Mapping)]
        found: list[Violation] = []
        mixing = self._dlp_mixing(nodes)
        for node in nodes:
            found.extend(self.node_violations(node))
            if (message := mixing.get(str(node.get("id")))) is not None:
                found.append(Violation(str(node.get("id")), "type", message))
        return found

    def document_violations(self, document: Any) -> list[Violation]:
        """Every violation of a flow document's nodes (a document without a node list has none)."""
        nodes = document.get("nodes") if isinstance(document, Mapping) else None
        return self.violations(nodes if isinstance(nodes, list) else [])

    def refusals(self, nodes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """node id → why its step may not run (every rule it breaks), for the engine."""
        found: dict[str, list[str]] = {}
        for violation in self.violations(nodes):
            found.setdefault(violation.node, []).append(violation.message)
        return {node_id: " ".join(messages) for node_id, messages in found.items()}

    def node_violations(self, node: Mapping[str, Any]) -> list[Violation]:
        """What one node breaks by itself (DLP mixing is about the whole flow: see `violations`)."""
        node_id, node_type = str(node.get("id")), str(node.get("type"))
        label, team = node_label(node), self.team
        found: list[Violation] = []
        if self.dlp.group_of(node_type) == "blocked":
            found.append(
                Violation(
                    node_id,
                    "type",
                    f"{label} uses the node type {node_type}, which the data-loss-prevention policy "
                    "blocks on this instance.",
                )
            )
        if team.allowed_node_types and not type_allowed(node_type, team.allowed_node_types):
            found.append(
                Violation(
                    node_id,
                    "type",
                    f"{label} uses the node type {node_type}, which team {team.team_name} may not use: "
                    f"allowed node types are {listed(team.allowed_node_types)}.",
                )
            )
        if node_type in team.require_sensitive and node.get("sensitive") is not True:
            found.append(
                Violation(
                    node_id,
                    "sensitive",
                    f"{label} must be marked sensitive: team {team.team_name} requires it for every "
                    f"{node_type} node, so that its input and output are masked.",
                )
            )
        host = literal_host(node)
        if host is not None and (refused := self.host_refusal(node, host)) is not None:
            where = "config.server" if node_type.startswith(CONNECTOR_PREFIX) else "config.url"
            found.append(Violation(node_id, where, refused))
        return found

    def host_refusal(self, node: Mapping[str, Any], host: str) -> str | None:
        """Why `node` may not call `host`, or None when it may."""
        allowed = self.team.allowed_hosts
        if not host_checked(str(node.get("type"))) or not allowed or host_allowed(host, allowed):
            return None
        return (
            f"{node_label(node)} calls {host}, which team {self.team.team_name} may not call: "
            f"allowed hosts are {listed(allowed)}."
        )

    def host_guard(self, node: Mapping[str, Any]) -> HostGuard | None:
        """The run-time check of the host a node actually calls, for the node types it applies to."""
        if not host_checked(str(node.get("type"))) or not self.team.allowed_hosts:
            return None
        return HostGuard(self, dict(node))

    def _dlp_mixing(self, nodes: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        """node id → message, for every business and non-business node of a flow that has both."""
        groups: dict[str, list[Mapping[str, Any]]] = {"business": [], "non_business": []}
        for node in nodes:
            group = self.dlp.group_of(str(node.get("type")))
            if group in groups:
                groups[group].append(node)
        if not groups["business"] or not groups["non_business"]:
            return {}
        mixing: dict[str, str] = {}
        for group, other in (("business", "non_business"), ("non_business", "business")):
            others = listed([node_label(n) for n in groups[other]])
            for node in groups[group]:
                mixing[str(node.get("id"))] = (
                    f"{node_label(node)} is a {GROUP_NAMES[group]} node type ({node.get('type')}), and "
                    f"this flow also uses {GROUP_NAMES[other]} {others}: the data-loss-prevention "
                    "policy does not let one flow mix business and non-business node types."
                )
        return mixing


@dataclass(frozen=True)
class HostGuard:
    """Checks the URL a node is about to call (see `nodes.outbound.send`)."""

    policies: Policies
    node: dict[str, Any]

    def refusal(self, url: str) -> str | None:
        host = url_host(url)
        if host is None:
            return None  # not a URL anything can be sent to: the request fails on its own
        return self.policies.host_refusal(self.node, host)


# --- the pieces ------------------------------------------------------------------------------------


def node_label(node: Mapping[str, Any]) -> str:
    """'Notify CRM' (HTTP request): how messages name a node."""
    node_type = str(node.get("type"))
    found = registry.get(node_type)
    name = node.get("name") if isinstance(node.get("name"), str) and node.get("name") else node.get("id")
    return f"'{name}' ({found.title if found else node_type})"


def listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def type_allowed(node_type: str, allowed: Iterable[str]) -> bool:
    category = node_type.split(".", 1)[0]
    # connector.<name>.<operation> is also allowed by connector.<name>.*
    family = node_type.rsplit(".", 1)[0] + ".*" if node_type.startswith(CONNECTOR_PREFIX) else None
    return any(entry in (node_type, f"{category}.*", family) for entry in allowed)


def host_checked(node_type: str) -> bool:
    """Whether the team's allowed hosts apply to a node type: those that call an address they are given."""
    return node_type in HOST_CHECKED_TYPES or node_type.startswith(CONNECTOR_PREFIX)


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    host = normalized_host(host) or host
    for entry in allowed:
        if entry.startswith("*."):
            if host.endswith(entry[1:]) and host != entry[2:]:
                return True
        elif host == entry:
            return True
    return False


def url_host(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return normalized_host(host) if host else None


def literal_host(node: Mapping[str, Any]) -> str | None:
    """The host of a node's URL when it is known before the run: the URL holds no template, or its
    templates all come after the host (`https://api.example.com/{{ path }}`)."""
    node_type = str(node.get("type"))
    if not host_checked(node_type):
        return None
    config = node.get("config")
    if node_type.startswith(CONNECTOR_PREFIX):
        found = registry.get(node_type)  # the server of the operation the node pins, or its override
        literal_url = getattr(found, "literal_url", None)
        url = literal_url(config) if callable(literal_url) else None
    else:
        url = config.get("url") if isinstance(config, Mapping) else None
    if not isinstance(url, str):
        return None
    literal = url.split("{{", 1)[0]
    if literal != url:
        after_scheme = literal.partition("://")[2]
        if not any(mark in after_scheme for mark in "/?#"):
            return None  # the template is part of the host: known only at run time
    return url_host(literal)


def normalized_host(host: str) -> str | None:
    """A host as compared: lower case, IDNA-encoded, no trailing dot; None when it is not a host."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 1 or not all(_LABEL.match(label) for label in labels):
        return None
    return host


def host_pattern_problem(entry: Any) -> tuple[str | None, str]:
    """(the entry as stored, or None; why it is refused)."""
    if not isinstance(entry, str) or not entry.strip():
        return None, "A host is a domain name such as api.example.com or *.example.com."
    text = entry.strip().lower()
    wildcard = text.startswith("*.")
    bare = text[2:] if wildcard else text
    if "/" in bare or (":" in bare and not _is_ip(bare)):
        return None, f"{entry!r} is not a host: give the name only, without scheme, port or path."
    host = normalized_host(bare)
    if host is None or (wildcard and _is_ip(host)):
        return None, f"{entry!r} is not a host name such as api.example.com or *.example.com."
    if wildcard and "." not in host:
        return None, f"{entry!r} is too wide: a wildcard needs a domain with a dot, such as *.example.com."
    return ("*." + host if wildcard else host), ""


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def node_type_problem(entry: Any, *, wildcards: bool) -> str | None:
    """Why `entry` is not a node type (or, with `wildcards`, an allowed category) this instance has."""
    if not isinstance(entry, str):
        return "A node type is text such as action.http."
    if wildcards and entry.endswith(".*"):
        category = entry[:-2]
        if category in WILDCARD_CATEGORIES or _CONNECTOR_WILDCARD.match(entry):
            return None
        if category == "action":
            return "Actions are allowed one by one (action.* would allow every action added later)."
        return (
            f"{entry!r}: only trigger.*, transform.*, connector.* and connector.<name>.* allow a group of "
            "node types."
        )
    if registry.get(entry) is None:
        return f"No node type {entry!r} is installed on this server."
    return None
