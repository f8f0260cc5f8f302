"""The audit log's hash chain: every entry is linked to the one before, the application cannot change
or remove one, `manage.py auditverify` names the first entry edited or deleted behind its back, and
retention prunes without breaking what is left."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from hub import audit, correlation
from hub.audit import GENESIS, PRUNED, audit_prune, chain_verify, entry_fields, entry_hash
from hub.models import AuditAppendOnly, AuditEntry
from identity.services import team_create

pytestmark = pytest.mark.django_db


def as_intruder(sql: str, params: list[Any]) -> None:
    """What someone with the database's password could do: lift the append-only trigger, then write.
    (Inside the test's transaction, so the trigger is back for the next test.)"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE hub_auditentry DISABLE TRIGGER hub_audit_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS hub_audit_append_only")
        cursor.execute(sql, params)


def verify() -> tuple[int, str]:
    """`manage.py auditverify` as an operator runs it: (exit status, what it said)."""
    out = StringIO()
    try:
        call_command("auditverify", stdout=out, stderr=StringIO())
    except CommandError as error:
        return error.returncode, str(error)
    return 0, out.getvalue()


def some_entries(alice: Any, count: int) -> list[AuditEntry]:
    return [
        audit.record(actor=alice, action="flow.renamed", target_type="flow", target_id=n, name=f"v{n}")
        for n in range(count)
    ]


def hand_chained(at_days_ago: int, count: int) -> list[AuditEntry]:
    """Entries written `at_days_ago` days back, chained exactly as `record` chains them."""
    made = []
    head = AuditEntry.objects.order_by("-seq").first()
    for n in range(count):
        entry = AuditEntry(
            seq=(head.seq + 1) if head else 1,
            at=timezone.now() - timedelta(days=at_days_ago, minutes=count - n),
            actor_name="system",
            action="run.started.schedule",
            target_type="run",
            target_id=str(n),
            detail={"n": n},
            prev_hash=head.hash if head else GENESIS,
        )
        entry.hash = entry_hash(entry_fields(entry))
        entry.save(force_insert=True)
        made.append(entry)
        head = entry
    return made


# --- the chain -------------------------------------------------------------------------------------


def test_each_entry_links_to_the_one_before_and_hashes_its_own_content(alice: Any) -> None:
    # given three recorded entries
    first, second, third = some_entries(alice, 3)
    # then they are numbered without gaps, the first starts from the genesis hash, and each links on
    stored = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in stored] == [first.seq, first.seq + 1, first.seq + 2]
    assert first.seq == 1 and first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    # and each hash is SHA-256 over what was read back from the database
    assert all(entry_hash(entry_fields(e)) == e.hash for e in stored)
    # and the actor's name is kept as a value, along with their id
    assert (stored[0].actor_name, stored[0].actor_id) == ("alice", alice.pk)


def test_an_intact_chain_verifies_with_exit_status_0(alice: Any) -> None:
    some_entries(alice, 5)
    status, said = verify()
    assert status == 0
    assert said.startswith("5 entries, chain intact") and AuditEntry.objects.get(seq=5).hash in said


def test_an_empty_log_is_intact(db: Any) -> None:
    assert verify() == (0, "0 entries, chain intact (the audit log is empty)\n")


def test_an_entry_edited_in_the_database_is_named(alice: Any) -> None:
    # given a chain of five entries
    entries = some_entries(alice, 5)
    target = entries[2]
    # when someone rewrites the third entry's detail directly in the database
    as_intruder("UPDATE hub_auditentry SET detail = %s WHERE id = %s", ['{"name": "innocent"}', target.pk])
    # then auditverify fails and names that entry, as edited
    status, said = verify()
    assert status == 1
    assert f"entry {target.pk} (seq {target.seq}," in said and "flow.renamed" in said
    assert "its content was edited" in said


def test_an_entry_edited_and_rehashed_is_named_by_the_broken_link(alice: Any) -> None:
    # given an intruder who edits an entry and recomputes its own hash
    entries = some_entries(alice, 4)
    target = entries[1]
    forged = AuditEntry.objects.get(pk=target.pk)
    forged.actor_name = "mallory"
    new_hash = entry_hash(entry_fields(forged))
    as_intruder(
        "UPDATE hub_auditentry SET actor_name = 'mallory', hash = %s WHERE id = %s", [new_hash, target.pk]
    )
    # then the entry after it no longer links to it, and the forged entry is the one named
    status, said = verify()
    assert (
        status == 1
        and f"entry {target.pk} (seq {target.seq}," in said
        and "links to a different hash" in said
    )


def test_an_entry_whose_link_was_rewritten_is_named_as_edited(alice: Any) -> None:
    entries = some_entries(alice, 3)
    as_intruder("UPDATE hub_auditentry SET prev_hash = %s WHERE id = %s", ["f" * 64, entries[2].pk])
    status, said = verify()
    assert status == 1 and f"entry {entries[2].pk} (seq {entries[2].seq}," in said
    assert "content was edited" in said


def test_a_long_log_reports_progress_while_verifying(alice: Any) -> None:
    some_entries(alice, 5)
    out, err = StringIO(), StringIO()
    call_command("auditverify", "--progress-every", "2", stdout=out, stderr=err)
    assert err.getvalue().splitlines() == ["verified 2 of 5 entries…", "verified 4 of 5 entries…"]
    assert out.getvalue().startswith("5 entries, chain intact")


def test_an_entry_deleted_from_the_middle_is_named(alice: Any) -> None:
    # given five entries, the third deleted directly in the database
    entries = some_entries(alice, 5)
    as_intruder("DELETE FROM hub_auditentry WHERE id = %s", [entries[2].pk])
    # then the entry after the gap is named, as following deleted entries
    status, said = verify()
    assert status == 1
    assert f"entry {entries[3].pk} (seq {entries[3].seq}," in said
    assert f"1 entries before it were deleted (seq {entries[2].seq}, after entry {entries[1].pk})" in said


def test_the_oldest_entries_deleted_without_an_anchor_are_named(alice: Any) -> None:
    entries = some_entries(alice, 4)
    as_intruder("DELETE FROM hub_auditentry WHERE seq <= 2", [])
    status, said = verify()
    assert status == 1 and f"entry {entries[2].pk}" in said
    assert "entries before it (seq 1-2) were deleted, and no 'audit.pruned' entry accounts for them" in said


# --- append-only ----------------------------------------------------------------------------------


def test_the_application_cannot_update_or_delete_an_entry(alice: Any) -> None:
    entry = some_entries(alice, 1)[0]
    entry.action = "nothing.happened"
    with pytest.raises(AuditAppendOnly):
        entry.save()
    with pytest.raises(AuditAppendOnly):
        entry.delete()
    with pytest.raises(AuditAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing.happened")
    with pytest.raises(AuditAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditAppendOnly):
        AuditEntry.objects.bulk_create([AuditEntry(seq=99, action="x", prev_hash="", hash="")])
    assert AuditEntry.objects.get(pk=entry.pk).action == "flow.renamed"
    assert verify()[0] == 0


def test_the_database_refuses_an_update_even_in_raw_sql(alice: Any) -> None:
    entry = some_entries(alice, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE hub_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "flow.renamed"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_the_database_refuses_a_delete_no_anchor_covers(alice: Any) -> None:
    entry = some_entries(alice, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM hub_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_person_keeps_their_entries_and_the_chain(alice: Any) -> None:
    # given entries by dora, who then leaves for good
    from tests.conftest import person

    dora = person("dora", "builder")
    dora_id = dora.pk
    team_create(actor=dora, name="Dora's")
    dora.delete()
    # then her entries still name her (by name and id), and the chain holds
    entry = AuditEntry.objects.get(action="team.created")
    assert (entry.actor_name, entry.actor_id) == ("dora", dora_id)
    assert verify()[0] == 0


# --- detail and context ---------------------------------------------------------------------------


def test_detail_with_dates_uuids_and_whole_floats_still_verifies(alice: Any) -> None:
    import uuid

    when = timezone.now()
    entry = audit.record(
        actor=alice,
        action="policy.updated",
        target_type="policy",
        target_id=uuid.uuid4(),
        before={"limit": 100.0, "at": when, "hosts": ["a.example"]},
        after={"limit": 1e16, "at": when, "hosts": ["a.example", "b.example"], "ratio": 0.1},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.detail["after"]["hosts"] == ["a.example", "b.example"]
    assert stored.detail["before"]["at"].startswith(when.isoformat()[:23])  # JSON dates keep milliseconds
    assert verify()[0] == 0


def test_the_correlation_id_and_ip_of_the_request_are_kept(alice: Any) -> None:
    with correlation.bound("req-abcdef12", "203.0.113.9"):
        entry = audit.record(actor=alice, action="flow.created", target_type="flow", target_id=1)
    outside = audit.record(actor=None, action="run.cancelled", target_type="run", target_id=2)
    assert (entry.correlation_id, entry.ip) == ("req-abcdef12", "203.0.113.9")
    assert (outside.correlation_id, outside.ip, outside.actor_name) == ("", "", "system")


# --- retention ------------------------------------------------------------------------------------


def test_retention_prunes_old_entries_behind_an_anchor_and_the_chain_still_verifies(alice: Any) -> None:
    # given three entries from 40 days ago and two from today
    old = hand_chained(40, 3)
    recent = some_entries(alice, 2)
    # when entries older than 30 days are pruned
    assert audit_prune(older_than_days=30) == 3
    # then the old ones are gone, the recent ones kept, and an anchor names the last pruned entry
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    anchor = AuditEntry.objects.get(action=PRUNED)
    assert anchor.detail["pruned_through_seq"] == old[-1].seq
    assert anchor.detail["anchor_hash"] == old[-1].hash and anchor.detail["entries"] == 3
    assert anchor.actor_name == "system" and anchor.prev_hash == recent[-1].hash
    # and auditverify starts from the oldest kept entry: intact
    status, said = verify()
    assert status == 0 and said.startswith("3 entries, chain intact")
    # and pruning again finds nothing more, without a second anchor
    assert audit_prune(older_than_days=30) == 0
    assert AuditEntry.objects.filter(action=PRUNED).count() == 1


def test_after_retention_deleting_the_oldest_kept_entry_is_still_named(alice: Any) -> None:
    hand_chained(40, 2)
    kept = some_entries(alice, 3)
    audit_prune(older_than_days=30)
    as_intruder("DELETE FROM hub_auditentry WHERE id = %s", [kept[0].pk])
    status, said = verify()
    assert status == 1 and f"entry {kept[1].pk}" in said and "no 'audit.pruned' entry accounts" in said


def test_retention_that_prunes_everything_leaves_a_verifiable_anchor(db: Any) -> None:
    hand_chained(40, 4)
    assert audit_prune(older_than_days=30, batch=3) == 4
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [PRUNED]
    assert verify()[0] == 0


def test_retention_refuses_less_than_a_day(db: Any) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        audit_prune(older_than_days=0)


def test_the_scheduler_applies_audit_retention(transactional_db: Any, settings: Any) -> None:
    from flows.scheduler import run_forever

    # given old entries and a 30-day audit retention (run retention unset)
    settings.AUDIT_RETENTION_DAYS, settings.RUN_RETENTION_DAYS = 30, None
    old = hand_chained(40, 3)
    audit.record(actor=None, action="run.cancelled", target_type="run", target_id=1)
    stop = threading.Event()

    def loop() -> None:
        try:
            run_forever(stop)
        finally:
            connections.close_all()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        # when the scheduler's loop runs, then the old entries go behind an anchor
        deadline = time.monotonic() + 20
        while AuditEntry.objects.filter(pk=old[0].pk).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(10)
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(action=PRUNED).count() == 1
    assert verify()[0] == 0


# --- concurrency ----------------------------------------------------------------------------------


def test_writers_recording_at_once_leave_one_unbroken_chain(transactional_db: Any) -> None:
    # given eight threads, each with its own database connection, recording 15 entries as fast as they can
    threads, per_thread, errors = 8, 15, []
    start = threading.Barrier(threads)

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():  # as services do: the entry inside the caller's transaction
                    audit.record(
                        actor=None, action="run.started.webhook", target_type="run", target_id=f"{n}-{i}"
                    )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    # then every entry was written, numbered 1..N without a gap or a fork, and the chain verifies
    assert errors == []
    total = threads * per_thread
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    report = chain_verify()
    assert report.intact and report.entries == total
