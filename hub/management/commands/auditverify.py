"""`manage.py auditverify`: walk the audit log's hash chain and say whether it is intact.

Exit status 0 with "N entries, chain intact" (and the head's seq and hash, worth keeping elsewhere: a
chain cannot show its newest entries removed together); exit status 1 naming the first broken entry
— its id, time and action, and whether it was edited or entries before it were deleted."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hub.audit import chain_verify
from hub.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit status 1 names the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--progress-every", type=int, default=10_000, help="Report progress every N entries."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["progress_every"]
        if every < 1:
            raise CommandError("--progress-every must be 1 or more.")
        total = AuditEntry.objects.count()

        def progress(done: int) -> None:
            self.stderr.write(f"verified {done} of {total} entries…")

        report = chain_verify(progress=progress if total > every else None, every=every)
        if report.first_break is not None:
            raise CommandError(f"chain broken at {report.first_break}", returncode=1)
        if report.entries == 0:
            self.stdout.write("0 entries, chain intact (the audit log is empty)")
            return
        self.stdout.write(
            f"{report.entries} entries, chain intact (head: seq {report.head_seq}, hash {report.head_hash})"
        )
