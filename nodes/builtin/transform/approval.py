"""`transform.approval`: the run waits — without holding a worker — until a named person, or someone
holding a role, approves or rejects (in the app, through the API or a signed e-mail link), or until
the time runs out; it goes on by the port `approved`, `rejected` or `expired`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import Field, model_validator

from nodes.registry import AwaitDecision, Expression, NodeConfig, NodeError, NodeType, register, widget

if TYPE_CHECKING:
    from nodes.context import NodeContext

DEFAULT_SECONDS = 3 * 24 * 3600
MAX_SECONDS = 30 * 24 * 3600
ONE_DECIDER = "Name either an assignee or a role, not both."
NO_DECIDER = "Name who decides: an assignee (a username) or a role."


class ApprovalConfig(NodeConfig):
    title: str = Field(
        min_length=1,
        max_length=200,
        json_schema_extra=widget("template"),
        description="What is to be decided, in a few words; may hold {{ templates }}.",
    )
    message: str = Field(
        default="",
        json_schema_extra=widget("template"),
        description="What the person deciding reads; may hold {{ templates }}.",
    )
    assignee: str | None = Field(
        default=None,
        json_schema_extra=widget("template"),
        description="The username of the one person who decides (admins may decide too); may be a "
        "{{ template }}. Give this or `role`.",
    )
    role: Literal["approver", "admin", "team"] | None = Field(
        default=None,
        description="Who decides instead of one person: `approver` (the flow's team's approvers), "
        "`admin` (admins only) or `team` (any member of the flow's team). Admins always may.",
    )
    timeout_seconds: float = Field(
        title="Timeout (seconds)",
        default=DEFAULT_SECONDS,
        gt=0,
        le=MAX_SECONDS,
        description="After this long without a decision the run goes on by `expired` (default 3 days, "
        "30 days at most).",
    )
    data: Expression = Field(
        default=None,
        description="Data shown to the person deciding (and in the output), evaluated: a template, "
        "a JsonLogic rule or a literal. Empty: the step's input.",
    )

    @model_validator(mode="after")
    def _one_decider(self) -> Self:
        if self.assignee and self.role:
            raise ValueError(ONE_DECIDER)
        if not self.assignee and not self.role:
            raise ValueError(NO_DECIDER)
        return self


@register
class Approval(NodeType[ApprovalConfig]):
    type = "transform.approval"
    title = "Approval"
    category = "transform"
    description = (
        "Waits until a named person (or anyone with a role) approves or rejects — in the app, through "
        "the API, or by a signed link in the e-mail they get — and continues by `approved`, `rejected`, "
        "or `expired` after the timeout. Output: decision, by, comment, decided_at, data."
    )
    Config = ApprovalConfig
    ports = ("approved", "rejected", "expired")
    example = {
        "title": "Refund of {{ trigger.amount }} EUR",
        "message": "Customer {{ trigger.customer }} asks for a refund.",
        "role": "approver",
        "timeout_seconds": 86400,
        "data": {"amount": "{{ trigger.amount }}", "customer": "{{ trigger.customer }}"},
    }

    def execute(self, ctx: NodeContext, config: ApprovalConfig, input: Any) -> AwaitDecision:
        assignee: str | None = None
        if config.assignee:
            evaluated = ctx.evaluate(config.assignee)
            if not isinstance(evaluated, str) or not evaluated.strip():
                raise NodeError(
                    f"The assignee {config.assignee!r} evaluated to {evaluated!r}, not a username."
                )
            assignee = evaluated.strip()
        title = ctx.evaluate(config.title)
        message = ctx.evaluate(config.message)
        return AwaitDecision(
            title=str(title)[:200],
            message="" if message is None else str(message),
            assignee=assignee,
            role=config.role,
            until=datetime.now(UTC) + timedelta(seconds=config.timeout_seconds),
            data=input if "data" not in config.model_fields_set else ctx.evaluate(config.data),
        )
