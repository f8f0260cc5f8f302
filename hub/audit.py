"""The tamper-evident audit log: `record` appends one hash-chained entry, `chain_verify` walks the chain
and names the first break, `audit_prune` applies `AUDIT_RETENTION_DAYS` without breaking it.

Each entry stores `seq` (1, 2, 3, … without gaps), `prev_hash` (the entry before's `hash`, or 64 zeros
for the first) and `hash` = SHA-256 over the canonical JSON of its fields and `prev_hash`. Editing a
row changes what its hash should be; deleting one leaves a gap in `seq` and a `prev_hash` that links
to nothing. Appends are serialized so two writers never both extend the same head: on PostgreSQL by a
transaction-scoped advisory lock, on SQLite by its IMMEDIATE transactions (hub/settings.py), and on
both by the unique `seq`. The lock is held until the caller's transaction ends, which is what keeps
the chain in commit order; the audited transactions are short.

Retention deletes a prefix of the chain only after appending an `audit.pruned` entry that names the
last pruned `seq` and its hash (the anchor): the verifier starts at the oldest kept entry when an
anchor accounts for everything before it, and the PostgreSQL trigger lets only such rows go.

What a chain cannot show by itself is the newest entries removed together (nothing links to them):
`auditverify` prints the head's `seq` and hash, and the JSON Lines export carries every hash, so an
auditor who keeps either elsewhere can tell.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from hub import correlation
from hub.models import AuditEntry

log = logging.getLogger("switchboard.audit")

GENESIS = "0" * 64
PRUNED = "audit.pruned"
# The advisory lock key of the chain's head on PostgreSQL (any constant; "audit" in ASCII).
_LOCK_KEY = 0x6175646974
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "ip",
    "action",
    "target_type",
    "target_id",
    "detail",
    "correlation_id",
    "prev_hash",
)


# --- hashing --------------------------------------------------------------------------------------


def _canonical_value(value: Any) -> Any:
    """JSON as the databases give it back: PostgreSQL's jsonb may turn 1e16 into 10000000000000000,
    so a whole float hashes as the integer it equals."""
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(fields: dict[str, Any]) -> str:
    """The exact text an entry's hash is taken over: sorted keys, no spaces, ASCII only."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    values["at"] = canonical_time(values["at"]) if isinstance(values["at"], datetime) else values["at"]
    values["detail"] = _canonical_value(values["detail"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the entry's canonical JSON, which includes `prev_hash`."""
    return hashlib.sha256(canonical_json(fields).encode("ascii")).hexdigest()


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS} | {"hash": entry.hash}


# --- appending ------------------------------------------------------------------------------------


def _lock_head(using: str) -> None:
    """Serialize appends until the surrounding transaction ends (SQLite's IMMEDIATE transactions
    already hold the database's single write lock)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _append(
    *,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target_type: str,
    target_id: str,
    detail: dict[str, Any],
) -> AuditEntry:
    using = AuditEntry.objects.db
    # No savepoint of its own inside the caller's transaction (two fewer queries per entry): an entry
    # that cannot be written dooms the audited transaction too, as it should.
    with transaction.atomic(using=using, savepoint=False):
        _lock_head(using)
        head = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
        correlation_id = correlation.current()
        entry = AuditEntry(
            seq=(head["seq"] + 1) if head else 1,
            at=timezone.now(),
            actor_id=actor_id,
            actor_name=actor_name,
            ip=correlation.client_ip(),
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
            correlation_id=correlation_id if correlation_id != "-" else "",
            prev_hash=head["hash"] if head else GENESIS,
        )
        entry.hash = entry_hash(entry_fields(entry))
        entry.save(force_insert=True)
    return entry


def record(*, actor: Any, action: str, target_type: str, target_id: Any, **detail: Any) -> AuditEntry:
    """Append who (`actor`: a user, or None for the system) did `action` to which target.

    `detail` is whatever the caller wants kept — by convention `before=` and `after=` for changes.
    It is stored as JSON (dates, UUIDs and decimals as strings). The IP address and correlation id
    come from the request being served, if any.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None:
        actor_name = user.get_username()
    elif isinstance(actor, str) and actor:
        actor_name = actor
    else:
        actor_name = "system"
    return _append(
        actor_id=user.pk if user is not None else None,
        actor_name=actor_name,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=json.loads(json.dumps(detail, cls=DjangoJSONEncoder)),
    )


# --- verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    """The first entry where the chain does not hold, and what happened to it."""

    entry_id: int
    seq: int
    at: datetime
    action: str
    kind: str  # "edited" | "deleted-before" | "relinked"
    explanation: str

    def __str__(self) -> str:
        return (
            f"entry {self.entry_id} (seq {self.seq}, {canonical_time(self.at)}, {self.action}): "
            f"{self.explanation}"
        )


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head_seq: int | None
    head_hash: str | None
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _anchors() -> dict[int, str]:
    """pruned_through_seq → the hash of that last pruned entry, from every `audit.pruned` entry."""
    found: dict[int, str] = {}
    for detail in AuditEntry.objects.filter(action=PRUNED).values_list("detail", flat=True):
        if isinstance(detail, dict) and isinstance(detail.get("pruned_through_seq"), int):
            found[detail["pruned_through_seq"]] = str(detail.get("anchor_hash", ""))
    return found


def _rows(chunk: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk)


def chain_verify(*, progress: Callable[[int], None] | None = None, every: int = 10_000) -> ChainReport:
    """Walk the chain oldest first and stop at the first entry that was edited, or that entries before
    it were deleted from; `progress(n)` is called every `every` entries."""
    anchors = _anchors()
    count = 0
    previous: AuditEntry | None = None
    for row in _rows(min(every, 2000)):
        count += 1
        if progress and count % every == 0:
            progress(count)
        problem = _check(row, previous, anchors)
        if problem:
            return ChainReport(count, row.seq, row.hash, problem)
        previous = row
    return ChainReport(count, previous.seq if previous else None, previous.hash if previous else None, None)


def _break(row: AuditEntry, kind: str, explanation: str) -> ChainBreak:
    return ChainBreak(row.pk, row.seq, row.at, row.action, kind, explanation)


def _check(row: AuditEntry, previous: AuditEntry | None, anchors: dict[int, str]) -> ChainBreak | None:
    if previous is None:
        if row.seq == 1:
            if row.prev_hash != GENESIS:
                return _break(row, "edited", "the first entry does not start the chain; it was edited")
        else:
            covered = [through for through in anchors if through >= row.seq - 1]
            if not covered:
                return _break(
                    row,
                    "deleted-before",
                    f"the {row.seq - 1} entries before it (seq 1-{row.seq - 1}) were deleted, and no "
                    f"'{PRUNED}' entry accounts for them",
                )
            exact = anchors.get(row.seq - 1)
            if exact is not None and exact != row.prev_hash:
                return _break(
                    row, "edited", "it does not follow the entry retention pruned last; it was edited"
                )
    elif row.seq != previous.seq + 1:
        first, last = previous.seq + 1, row.seq - 1
        missing = f"seq {first}" if first == last else f"seq {first}-{last}"
        return _break(
            row,
            "deleted-before",
            f"{last - first + 1} entries before it were deleted ({missing}, after entry {previous.pk})",
        )
    if entry_hash(entry_fields(row)) != row.hash:
        return _break(row, "edited", "its content was edited: it no longer matches its hash")
    if previous is not None and row.prev_hash != previous.hash:
        # The row itself is consistent, so the one before was edited and given a fresh hash.
        return _break(
            previous,
            "relinked",
            f"the next entry ({row.pk}) links to a different hash: this entry was edited and its hash "
            "recomputed",
        )
    return None


# --- retention ------------------------------------------------------------------------------------


def audit_prune(*, older_than_days: int, batch: int = 1000, now: datetime | None = None) -> int:
    """Delete the entries older than the cutoff, keeping the chain verifiable; returns how many.

    First an `audit.pruned` entry is appended naming the last entry to go (its seq and hash): that
    anchor is what lets the oldest kept entry start the chain. Then the prefix goes, a batch per
    transaction, through the one path the append-only trigger allows: rows an anchor covers. A prune
    that stops half-way is finished by the next one without a second anchor.
    """
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
    through = AuditEntry.objects.filter(at__lt=cutoff).aggregate(last=Max("seq"))["last"]
    if through is None:
        return 0
    anchored = max(_anchors(), default=0)
    if through > anchored:
        last = AuditEntry.objects.get(seq=through)
        _append(
            actor_id=None,
            actor_name="system",
            action=PRUNED,
            target_type="audit",
            target_id=str(through),
            detail={
                "pruned_through_seq": through,
                "anchor_hash": last.hash,
                "entries": AuditEntry.objects.filter(seq__lte=through).count(),
                "before": cutoff.isoformat(),
                "retention_days": older_than_days,
            },
        )
    else:
        through = anchored
    pruned = 0
    table = AuditEntry._meta.db_table
    using = AuditEntry.objects.db
    while True:
        with transaction.atomic(using=using):
            oldest = AuditEntry.objects.filter(seq__lte=through).order_by("seq")
            ids = list(oldest.values_list("pk", flat=True)[:batch])
            if not ids:
                break
            with connections[using].cursor() as cursor:
                # The model refuses deletes; this is the retention path the trigger lets through.
                cursor.execute(
                    f"DELETE FROM {table} WHERE seq <= %s AND id IN ({', '.join(['%s'] * len(ids))})",
                    [through, *ids],
                )
                pruned += cursor.rowcount
        if len(ids) < batch:
            break
    if pruned:
        log.info("pruned %d audit entries before %s (through seq %d)", pruned, cutoff.isoformat(), through)
    return pruned
