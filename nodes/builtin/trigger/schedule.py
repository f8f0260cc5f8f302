"""`trigger.schedule`: a flow started at the times a cron expression names, in a chosen time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter
from pydantic import Field, field_validator

from nodes.registry import NodeConfig, NodeType, register

if TYPE_CHECKING:
    from nodes.context import NodeContext


def cron_problem(expression: str) -> str | None:
    """What is wrong with a cron expression, or None. Five fields only: the scheduler works in minutes."""
    if not expression.strip().startswith("@") and len(expression.split()) != 5:
        return (
            f"{expression!r} is not a cron expression: it needs five fields "
            "(minute hour day-of-month month day-of-week), or @hourly, @daily, @weekly, @monthly, @yearly."
        )
    if not croniter.is_valid(expression):
        return f"{expression!r} is not a valid cron expression."
    try:
        croniter(expression, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
    except CroniterError:
        return f"{expression!r} never matches a date."
    return None


def timezone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not a known IANA time zone (such as UTC or Europe/Amsterdam)."
    return None


class ScheduleConfig(NodeConfig):
    cron: str = Field(
        title="Cron expression",
        description="When to run: five cron fields (minute hour day-of-month month day-of-week), "
        "e.g. `0 9 * * 1-5` for 9:00 on weekdays, or @hourly, @daily, @weekly, @monthly, @yearly.",
    )
    timezone: str = Field(
        title="Time zone",
        default="UTC",
        description="The IANA time zone the cron times are in, e.g. Europe/Amsterdam.",
    )

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if problem := cron_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        if problem := timezone_problem(value):
            raise ValueError(problem)
        return value


def latest_tick(config: ScheduleConfig, moment: datetime) -> datetime:
    """The last scheduled time at or before `moment`, in UTC: the tick the scheduler owes."""
    return _tick(config, moment + timedelta(microseconds=1), forward=False)


def _tick(config: ScheduleConfig, moment: datetime, *, forward: bool) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Evaluated in the flow's zone so that "9:00" stays 9:00 local across daylight-saving changes.
    local = moment.astimezone(ZoneInfo(config.timezone))
    times = croniter(config.cron, local)
    found: datetime = times.get_next(datetime) if forward else times.get_prev(datetime)
    return found.astimezone(UTC)


@register
class ScheduleTrigger(NodeType[ScheduleConfig]):
    type = "trigger.schedule"
    title = "Schedule"
    category = "trigger"
    pure = True
    description = "Starts the flow at the times a cron expression names."
    Config = ScheduleConfig
    example = {"cron": "0 9 * * 1-5", "timezone": "Europe/Amsterdam"}

    def next_after(self, config: ScheduleConfig, after: datetime) -> datetime:
        """The first scheduled time strictly after `after` (a naive `after` is taken as UTC), in UTC."""
        return _tick(config, after, forward=True)

    def execute(self, ctx: NodeContext, config: ScheduleConfig, input: Any) -> Any:
        # The scheduler gives {"scheduled_at": iso}: the planned time, not when the worker got to it.
        return input
