"""Policies on node use, enforced when a version is submitted and again when it runs.

Each rule is tried at submit (a 400 naming the node and the rule) and at run time after the policy
was tightened behind an approved version (the step fails with the rule's message, is not retried,
and the version stays as approved).
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from flows import services as flows
from flows.models import Flow, FlowVersion, RunStatus, StepStatus, TriggerEvent
from hub.models import AuditEntry
from hub.problems import ValidationProblem
from identity.models import Team
from identity.services import team_default, team_delete
from nodes import services as nodes
from tests.conftest import client_for, person
from tests.support.flows import chain, edge, node
from tests.support.runs import wait_for_run
from tests.support.sink import HttpSink

ALLOWED_HOSTS_MESSAGE = (
    "'Notify CRM' (HTTP request) calls api.example.org, which team Sales may not call: "
    "allowed hosts are *.sales.example.com."
)


def named(node_dict: dict[str, Any], name: str, **extra: Any) -> dict[str, Any]:
    return {**node_dict, "name": name, **extra}


def crm(url: str, *, sensitive: bool | None = None, **config: Any) -> dict[str, Any]:
    found = named(node("crm", "action.http", method="POST", url=url, **config), "Notify CRM")
    return found if sensitive is None else {**found, "sensitive": sensitive}


def start() -> dict[str, Any]:
    return node("start", "trigger.manual")


@pytest.fixture
def sales(db: Any) -> Team:
    return Team.objects.create(name="Sales")


@pytest.fixture
def sam(sales: Team) -> Any:
    """A builder in Sales."""
    return person("sam", "builder", teams=(sales,))


def policy_admin() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="policy-admin").first() or person("policy-admin", "admin")


def set_policy(
    team: Team, *, types: tuple[str, ...] = (), hosts: tuple[str, ...] = (), sensitive: tuple[str, ...] = ()
) -> None:
    nodes.team_policy_update(
        user=policy_admin(),
        team=team,
        allowed_node_types=list(types),
        allowed_hosts=list(hosts),
        require_sensitive=list(sensitive),
    )


def set_dlp(classification: dict[str, str], default_group: str = "non_business") -> None:
    nodes.dlp_policy_update(user=policy_admin(), classification=classification, default_group=default_group)


def sales_flow(
    sam: Any, sales: Team, *nodes_: dict[str, Any], document: dict[str, Any] | None = None
) -> Flow:
    return flows.flow_create(user=sam, name="Leads", graph=document or chain(*nodes_), team_id=sales.pk)


def refusal(flow: Flow, user: Any) -> list[dict[str, Any]]:
    """The problems of submitting the flow's draft (and proof that nothing was stored)."""
    with pytest.raises(ValidationProblem) as refused:
        flows.version_submit(flow=flow, user=user)
    assert not FlowVersion.objects.filter(flow=flow).exists()
    return [{"node": e.node, "field": e.field, "message": e.message} for e in refused.value.errors]


# --- at submit ---------------------------------------------------------------------------------------


def test_a_host_outside_the_teams_list_is_refused_at_submit_naming_node_and_rule(
    sales: Team, sam: Any
) -> None:
    set_policy(sales, hosts=("*.sales.example.com",))
    flow = sales_flow(sam, sales, start(), crm("https://api.example.org/leads"))
    # when sam submits through the API
    answer = client_for(sam).post(f"/api/v1/flows/{flow.pk}/versions", {"note": ""}, format="json")
    # then a problem document lists the violation with its node and the rule in words
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["errors"] == [
        {"node": "crm", "field": "config.url", "message": ALLOWED_HOSTS_MESSAGE}
    ]
    assert answer.json()["detail"] == ALLOWED_HOSTS_MESSAGE
    assert not FlowVersion.objects.filter(flow=flow).exists()


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://crm.sales.example.com/leads", True),
        ("https://eu.crm.sales.example.com/leads", True),
        ("https://sales.example.com/leads", False),  # the wildcard is for subdomains only
        ("https://crm.sales.example.com/{{ trigger.id }}", True),  # literal host, templated path
        ("https://api.example.org/{{ trigger.id }}", False),
        ("https://{{ trigger.host }}/leads", True),  # host known only at run time: checked then
    ],
)
def test_wildcard_hosts_and_templated_urls_at_submit(sales: Team, sam: Any, url: str, accepted: bool) -> None:
    set_policy(sales, hosts=("*.sales.example.com",))
    flow = sales_flow(sam, sales, start(), crm(url))
    if accepted:
        assert flows.version_submit(flow=flow, user=sam).number == 1
    else:
        assert [p["field"] for p in refusal(flow, sam)] == ["config.url"]


def test_the_host_list_also_holds_for_webhooks_but_not_for_other_types(sales: Team, sam: Any) -> None:
    set_policy(sales, hosts=("hooks.example.com",))
    hook = named(node("hook", "action.webhook", url="https://other.example.com/in"), "Tell ops")
    mail = named(node("mail", "action.email", to="x@other.example.com", subject="s", text="t"), "Mail")
    problems = refusal(sales_flow(sam, sales, start(), hook, mail), sam)
    assert problems == [
        {
            "node": "hook",
            "field": "config.url",
            "message": "'Tell ops' (Send webhook) calls other.example.com, which team Sales may not call: "
            "allowed hosts are hooks.example.com.",
        }
    ]


def test_node_types_outside_the_teams_allow_list_are_refused_and_categories_are_allowed_wholesale(
    sales: Team, sam: Any
) -> None:
    set_policy(sales, types=("trigger.*", "transform.*", "action.email"))
    # map and filter come in with transform.*, the email by name
    mail = node("mail", "action.email", to="a@example.com", subject="s", text="t")
    ok = sales_flow(sam, sales, start(), node("shape", "transform.map", fields={"a": 1}), mail)
    assert flows.version_submit(flow=ok, user=sam).number == 1
    # an HTTP request is not allowed
    problems = refusal(sales_flow(sam, sales, start(), crm("https://a.example.com")), sam)
    assert problems == [
        {
            "node": "crm",
            "field": "type",
            "message": "'Notify CRM' (HTTP request) uses the node type action.http, which team Sales may "
            "not use: allowed node types are action.email, transform.*, trigger.*.",
        }
    ]


def test_a_required_sensitive_mark_is_enforced(sales: Team, sam: Any) -> None:
    set_policy(sales, sensitive=("action.http",))
    problems = refusal(sales_flow(sam, sales, start(), crm("https://a.example.com")), sam)
    assert [(p["node"], p["field"]) for p in problems] == [("crm", "sensitive")]
    assert (
        "'Notify CRM' (HTTP request) must be marked sensitive: team Sales requires it"
        in problems[0]["message"]
    )
    # marked, it is accepted
    marked = sales_flow(sam, sales, start(), crm("https://a.example.com", sensitive=True))
    assert flows.version_submit(flow=marked, user=sam).number == 1


def test_dlp_refuses_blocked_types_and_flows_mixing_business_with_non_business(sales: Team, sam: Any) -> None:
    set_dlp({"action.http": "business", "action.webhook": "non_business", "action.email": "blocked"})
    hook = named(node("hook", "action.webhook", url="https://b.example.com"), "Tell ops")
    mixing = refusal(sales_flow(sam, sales, start(), crm("https://a.example.com"), hook), sam)
    assert [(p["node"], p["field"]) for p in mixing] == [("crm", "type"), ("hook", "type")]
    assert mixing[0]["message"] == (
        "'Notify CRM' (HTTP request) is a Business node type (action.http), and this flow also uses "
        "Non-business 'Tell ops' (Send webhook): the data-loss-prevention policy does not let one flow "
        "mix business and non-business node types."
    )
    blocked = node("mail", "action.email", to="a@example.com", subject="s", text="t")
    problems = refusal(sales_flow(sam, sales, start(), blocked), sam)
    assert problems == [
        {
            "node": "mail",
            "field": "type",
            "message": "'mail' (Send e-mail) uses the node type action.email, which the data-loss-prevention "
            "policy blocks on this instance.",
        }
    ]
    # business with exempt transforms and triggers is fine
    fine = sales_flow(
        sam, sales, start(), node("shape", "transform.map", fields={}), crm("https://a.example.com")
    )
    assert flows.version_submit(flow=fine, user=sam).number == 1


def test_every_violation_is_listed_at_once(sales: Team, sam: Any) -> None:
    set_policy(
        sales, types=("trigger.*", "action.http"), hosts=("*.sales.example.com",), sensitive=("action.http",)
    )
    flow = sales_flow(
        sam, sales, start(), node("shape", "transform.map", fields={}), crm("https://x.example.org")
    )
    assert [(p["node"], p["field"]) for p in refusal(flow, sam)] == [
        ("shape", "type"),
        ("crm", "sensitive"),
        ("crm", "config.url"),
    ]


def test_other_teams_are_not_bound_by_a_teams_policy(sales: Team, sam: Any, alice: Any) -> None:
    set_policy(sales, types=("trigger.*",))
    other = Team.objects.create(name="Ops")
    flow = flows.flow_create(
        user=alice, name="Ops flow", graph=chain(start(), crm("https://a.example.com")), team_id=other.pk
    )
    assert flows.version_submit(flow=flow, user=alice).number == 1


def test_the_policy_check_endpoint_lists_the_drafts_violations(sales: Team, sam: Any) -> None:
    set_policy(sales, hosts=("*.sales.example.com",))
    flow = sales_flow(sam, sales, start(), crm("https://api.example.org/leads"))
    viewer = client_for(person("val", "viewer", teams=(sales,)))
    answer = viewer.post(f"/api/v1/flows/{flow.pk}/policy-check", {}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "violations": [{"node": "crm", "field": "config.url", "message": ALLOWED_HOSTS_MESSAGE}]
    }
    # the editor may send the graph it holds, not yet saved
    unsaved = chain(start(), crm("https://crm.sales.example.com/leads"))
    assert viewer.post(f"/api/v1/flows/{flow.pk}/policy-check", {"graph": unsaved}, format="json").json() == {
        "violations": []
    }


def test_rolling_back_to_a_version_that_breaks_the_policy_now_is_refused(
    sales: Team, sam: Any, alice: Any
) -> None:
    # given versions 1 and 2 approved in turn (1 is retired), 1 calling api.example.org
    flow = sales_flow(sam, sales, start(), crm("https://api.example.org/x"))
    flows.version_approve(version=flows.version_submit(flow=flow, user=sam), user=alice)
    flows.flow_draft_update(flow=flow, user=sam, graph=chain(start(), crm("https://crm.sales.example.com/x")))
    flows.version_approve(version=flows.version_submit(flow=flow, user=sam), user=alice)
    # when the team's hosts are limited and someone asks to roll back to 1
    set_policy(sales, hosts=("*.sales.example.com",))
    with pytest.raises(ValidationProblem) as refused:
        flows.version_rollback(version=FlowVersion.objects.get(flow=flow, number=1), user=sam)
    # then it is refused like a submission, and no version 3 exists
    assert [e.message for e in refused.value.errors] == [ALLOWED_HOSTS_MESSAGE]
    assert FlowVersion.objects.filter(flow=flow).count() == 2


# --- moving a flow -------------------------------------------------------------------------------------


def test_a_flow_is_not_moved_into_a_team_whose_policies_its_live_version_breaks(
    sales: Team, sam: Any, alice: Any, api: APIClient
) -> None:
    # given a live flow in Ops calling api.example.org
    ops = Team.objects.create(name="Ops")
    olga = person("olga", "builder", teams=(ops,))
    flow = flows.flow_create(
        user=olga, name="Leads", graph=chain(start(), crm("https://api.example.org/x")), team_id=ops.pk
    )
    flows.version_approve(version=flows.version_submit(flow=flow, user=olga), user=alice)
    set_policy(sales, hosts=("*.sales.example.com",))
    # when an admin moves it to Sales, whose hosts do not include that
    refused = api.patch(f"/api/v1/flows/{flow.pk}", {"team": sales.pk}, format="json")
    # then it is refused with the violation, and the flow stays in Ops
    assert refused.status_code == 400
    assert "Team Sales's policies do not allow the live version" in refused.json()["detail"]
    assert refused.json()["errors"][0]["node"] == "crm"
    assert Flow.objects.get(pk=flow.pk).team_id == ops.pk
    assert not AuditEntry.objects.filter(action="flow.moved").exists()
    # a team that allows it takes it, and the move is audited
    set_policy(sales, hosts=("api.example.org",))
    assert api.patch(f"/api/v1/flows/{flow.pk}", {"team": sales.pk}, format="json").status_code == 200
    assert AuditEntry.objects.get(action="flow.moved").detail["to"]["name"] == "Sales"


def test_a_deleted_teams_flow_goes_to_the_default_team_flagged_when_it_breaks_its_policies(
    alice: Any,
) -> None:
    # given a live flow in Ops with an HTTP request, and a default team that may not use one
    ops = Team.objects.create(name="Ops")
    olga = person("olga", "builder", teams=(ops,))
    flow = flows.flow_create(
        user=olga, name="Leads", graph=chain(start(), crm("https://api.example.org/x")), team_id=ops.pk
    )
    flows.version_approve(version=flows.version_submit(flow=flow, user=olga), user=alice)
    set_policy(team_default(), types=("trigger.*",))
    # when Ops is deleted
    team_delete(team=ops, actor=alice)
    # then the flow moves anyway (a flow never belongs to no team), and the move is flagged
    assert Flow.objects.get(pk=flow.pk).team_id == team_default().pk
    moved = AuditEntry.objects.get(action="flow.moved")
    assert len(moved.detail["policy_violations"]) == 1
    assert "uses the node type action.http, which team" in moved.detail["policy_violations"][0]


# --- at run time ----------------------------------------------------------------------------------------


def approved(sam: Any, sales: Team, alice: Any, document: dict[str, Any]) -> Flow:
    flow = flows.flow_create(user=sam, name="Leads", graph=document, team_id=sales.pk)
    flows.version_approve(version=flows.version_submit(flow=flow, user=sam), user=alice)
    return flow


def run_live(flow: Flow, alice: Any, payload: Any = None) -> Any:
    run, _ = flows.run_start_live(flow=flow, kind=TriggerEvent.Kind.MANUAL, payload=payload or {}, user=alice)
    return wait_for_run(run.pk)


def test_a_host_policy_tightened_after_approval_fails_the_step_without_retry(
    worker: None, alice: Any, sales: Team, sam: Any, http_sink: HttpSink
) -> None:
    # given an approved flow calling the sink (127.0.0.1) with retries configured
    retry = {"max_attempts": 3, "base_seconds": 0}
    flow = approved(sam, sales, alice, chain(start(), crm(http_sink.url("/leads"), retry=retry)))
    document = FlowVersion.objects.get(flow=flow).graph
    # when an admin then allows only *.example.com and the flow runs
    set_policy(sales, hosts=("*.example.com",))
    run = run_live(flow, alice)
    # then the step fails once with the rule, nothing was sent, and the version is untouched
    assert run.status == RunStatus.FAILED
    step = run.steps.get(node="crm")
    expected = (
        "'Notify CRM' (HTTP request) calls 127.0.0.1, which team Sales may not call: "
        "allowed hosts are *.example.com."
    )
    assert step.status == StepStatus.FAILED and step.error == expected and step.attempts == 1
    assert expected in run.error
    assert http_sink.requests == []
    version = FlowVersion.objects.get(flow=flow)
    assert version.state == "approved" and version.graph == document


def test_a_templated_url_is_checked_on_the_host_actually_called(
    worker: None, alice: Any, sales: Team, sam: Any, http_sink: HttpSink
) -> None:
    set_policy(sales, hosts=("127.0.0.1",))
    flow = approved(sam, sales, alice, chain(start(), crm("{{ trigger.url }}")))
    # an allowed host is called
    allowed = run_live(flow, alice, {"url": http_sink.url("/leads")})
    assert allowed.status == RunStatus.SUCCEEDED and len(http_sink.requests) == 1
    # another is refused before anything is sent (not even a name lookup: the rule speaks first)
    refused = run_live(flow, alice, {"url": "https://elsewhere.example.net/leads"})
    assert refused.status == RunStatus.FAILED
    assert refused.steps.get(node="crm").error == (
        "'Notify CRM' (HTTP request) calls elsewhere.example.net, which team Sales may not call: "
        "allowed hosts are 127.0.0.1."
    )
    assert len(http_sink.requests) == 1


def test_a_refused_step_takes_its_error_port_when_the_node_routes_errors(
    worker: None, alice: Any, sales: Team, sam: Any, http_sink: HttpSink
) -> None:
    document = chain(start(), crm(http_sink.url("/leads"), on_error="route"))
    document["nodes"].append(node("note", "transform.map", fields={"why": {"var": "input.error"}}))
    document["edges"].append(edge("crm", "note", "error"))
    flow = approved(sam, sales, alice, document)
    # when the team may no longer use HTTP requests
    set_policy(sales, types=("trigger.*", "transform.*"))
    run = run_live(flow, alice)
    # then the failure is handled by the flow
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert "uses the node type action.http, which team Sales may not use" in run.output["why"]
    assert http_sink.requests == []


def test_dlp_and_required_sensitive_hold_at_run_time_too(
    worker: None, alice: Any, sales: Team, sam: Any, http_sink: HttpSink
) -> None:
    hook = named(node("hook", "action.webhook", url=http_sink.url("/hook")), "Tell ops")
    flow = approved(sam, sales, alice, chain(start(), crm(http_sink.url("/leads")), hook))
    # the instance now keeps business and non-business apart
    set_dlp({"action.http": "business", "action.webhook": "non_business"})
    mixed = run_live(flow, alice)
    assert mixed.status == RunStatus.FAILED
    assert "the data-loss-prevention policy does not let one flow mix" in mixed.steps.get(node="crm").error
    # blocked altogether
    set_dlp({"action.http": "blocked"})
    blocked = run_live(flow, alice)
    assert "which the data-loss-prevention policy blocks" in blocked.steps.get(node="crm").error
    # and the team wants HTTP requests marked sensitive
    set_dlp({})
    set_policy(sales, sensitive=("action.http",))
    unmarked = run_live(flow, alice)
    assert "must be marked sensitive" in unmarked.steps.get(node="crm").error
    assert http_sink.requests == []


def test_test_runs_of_a_draft_obey_the_policies(worker: None, alice: Any, sales: Team, sam: Any) -> None:
    set_policy(sales, types=("trigger.*",))
    flow = sales_flow(sam, sales, start(), node("shape", "transform.map", fields={"a": 1}))
    run = wait_for_run(flows.run_test(flow=flow, user=sam, payload={}).pk)
    assert run.status == RunStatus.FAILED
    assert "'shape' (Map) uses the node type transform.map, which team Sales may not use" in run.error
