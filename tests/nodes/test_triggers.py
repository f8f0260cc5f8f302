"""The trigger node types: they pass on what started the run; schedule validates cron and time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from nodes.builtin.trigger.manual import ManualTrigger
from nodes.builtin.trigger.schedule import ScheduleTrigger
from nodes.builtin.trigger.webhook import WebhookTrigger
from nodes.context import NodeContext

MakeContext = Callable[..., NodeContext]


def test_webhook_trigger_outputs_the_request_the_ingest_built(make_context: MakeContext) -> None:
    # given the request as the ingest hands it over
    request = {
        "body": {"total": 120},
        "headers": {"content-type": "application/json"},
        "query": {"src": ["shop"]},
        "method": "POST",
    }
    node = WebhookTrigger()
    # when the trigger runs
    output = node.execute(make_context(request), node.parse_config({}), request)
    # then its output is that request
    assert output == request


def test_webhook_trigger_config_has_contract_defaults() -> None:
    # given an empty config
    # when it is parsed
    config = WebhookTrigger().parse_config({})
    # then nothing is verified, the answer is 202 at once, and the body limit is the setting's
    assert (config.verify, config.respond, config.timeout_seconds, config.max_body_bytes) == (
        "none",
        "accepted",
        30,
        None,
    )


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"verify": "hmac"}, "verify"),
        ({"respond": "later"}, "respond"),
        ({"timeout_seconds": 301}, "timeout_seconds"),
        ({"max_body_bytes": 0}, "max_body_bytes"),
    ],
)
def test_webhook_trigger_refuses_bad_config(config: dict[str, object], field: str) -> None:
    # given a config with one bad value
    # when it is validated
    problems = WebhookTrigger().validate_config(config)
    # then the problem names that field
    assert [path for path, _ in problems] == [field]


def test_manual_trigger_outputs_the_json_it_was_started_with(make_context: MakeContext) -> None:
    # given a manual trigger with a sample, started with other JSON
    node = ManualTrigger()
    config = node.parse_config({"sample": {"example": True}})
    # when it runs
    output = node.execute(make_context([1, 2]), config, [1, 2])
    # then it outputs what it was given, not the sample
    assert output == [1, 2]


def test_manual_trigger_sample_defaults_to_an_empty_object() -> None:
    assert ManualTrigger().parse_config({}).sample == {}


def test_schedule_trigger_outputs_the_scheduled_time(make_context: MakeContext) -> None:
    # given a schedule trigger fired by the scheduler
    tick = {"scheduled_at": "2026-03-02T09:00:00+00:00"}
    node = ScheduleTrigger()
    # when it runs
    output = node.execute(make_context(tick), node.parse_config({"cron": "0 9 * * 1-5"}), tick)
    # then it outputs the tick
    assert output == tick


@pytest.mark.parametrize("cron", ["0 9 * * 1-5", "*/15 * * * *", "0 0 1 1 *", "@daily", "@hourly"])
def test_schedule_trigger_accepts_valid_cron(cron: str) -> None:
    assert ScheduleTrigger().validate_config({"cron": cron, "timezone": "Europe/Amsterdam"}) == []


@pytest.mark.parametrize(
    ("cron", "says"),
    [
        ("every day", "five fields"),
        ("61 * * * *", "not a valid cron expression"),
        ("* * * * * *", "five fields"),  # seconds: the scheduler works in minutes
        ("0 0 30 2 *", "never matches"),
        ("@reboot", "not a valid cron expression"),
    ],
)
def test_schedule_trigger_refuses_invalid_cron(cron: str, says: str) -> None:
    # given a schedule with a cron expression croniter cannot use
    # when it is validated (JSON Schema alone cannot tell)
    problems = ScheduleTrigger().validate_config({"cron": cron})
    # then the problem names the cron field and says what is wrong
    assert len(problems) == 1
    field, message = problems[0]
    assert field == "cron"
    assert says in message


def test_schedule_trigger_refuses_an_unknown_time_zone() -> None:
    # given a time zone that is no IANA name
    # when the config is validated
    problems = ScheduleTrigger().validate_config({"cron": "0 9 * * *", "timezone": "Mars/Olympus_Mons"})
    # then the problem names the timezone field
    assert problems == [
        ("timezone", "'Mars/Olympus_Mons' is not a known IANA time zone (such as UTC or Europe/Amsterdam).")
    ]


def test_schedule_trigger_lists_every_problem_at_once() -> None:
    # given a config that is wrong in three ways
    # when it is validated
    problems = ScheduleTrigger().validate_config({"cron": "nope", "timezone": "Nowhere", "when": "now"})
    # then all three are named
    assert sorted(str(field) for field, _ in problems) == ["None", "cron", "timezone"]


def test_schedule_trigger_config_model_refuses_invalid_cron_too() -> None:
    # given an invalid cron expression
    # when the config is parsed for a run
    # then the model refuses it just as validation does
    with pytest.raises(ValidationError, match="not a valid cron expression"):
        ScheduleTrigger().parse_config({"cron": "61 * * * *"})


def test_next_after_keeps_local_time_across_daylight_saving() -> None:
    # given a schedule at 9:00 Amsterdam time
    node = ScheduleTrigger()
    config = node.parse_config({"cron": "0 9 * * *", "timezone": "Europe/Amsterdam"})
    # when the next times are asked for on either side of the change to summer time (29 March 2026)
    winter = node.next_after(config, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    summer = node.next_after(config, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    # then both are 9:00 local, which is 8:00 and then 7:00 UTC
    assert winter == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    assert summer == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_next_after_is_strictly_after_and_takes_naive_times_as_utc() -> None:
    # given a schedule every 15 minutes, in UTC
    node = ScheduleTrigger()
    config = node.parse_config({"cron": "*/15 * * * *"})
    # when asked for the time after a tick itself, given without a time zone
    following = node.next_after(config, datetime(2026, 1, 1, 10, 15))
    # then it is the next tick, in UTC
    assert following == datetime(2026, 1, 1, 10, 30, tzinfo=UTC)
