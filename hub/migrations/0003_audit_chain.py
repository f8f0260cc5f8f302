"""The audit log becomes append-only and hash-chained (see hub/audit.py).

Existing entries are chained in id order, then the database itself refuses changes: on PostgreSQL a
trigger refuses UPDATE, and DELETE of any entry no `audit.pruned` anchor covers (retention's path);
on SQLite a trigger refuses UPDATE. SQLite gets no DELETE trigger because Django's test flush empties
tables with DELETE; the model and its queryset refuse deletes there, and the chain shows any.

A later migration that alters this table on SQLite rebuilds it and drops the trigger: create it again.
"""

from typing import Any

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SQLITE_UP = [
    """
    CREATE TRIGGER hub_audit_append_only BEFORE UPDATE ON hub_auditentry
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries are never updated'); END;
    """
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS hub_audit_append_only;"]
POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION hub_audit_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (
            SELECT 1 FROM hub_auditentry anchor
            WHERE anchor.action = 'audit.pruned'
              AND (anchor.detail ->> 'pruned_through_seq')::bigint >= OLD.seq
        ) THEN
            RETURN OLD;  -- retention: the entry is older than an anchor that accounts for it
        END IF;
        RAISE EXCEPTION 'the audit log is append-only: % of entry % refused', TG_OP, OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER hub_audit_append_only BEFORE UPDATE OR DELETE ON hub_auditentry
    FOR EACH ROW EXECUTE FUNCTION hub_audit_append_only();
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS hub_audit_append_only ON hub_auditentry;",
    "DROP FUNCTION IF EXISTS hub_audit_append_only();",
]


def chain_existing(apps: Any, schema_editor: Any) -> None:
    from hub.audit import GENESIS, HASHED_FIELDS, entry_hash

    entry_model = apps.get_model("hub", "AuditEntry")
    previous = GENESIS
    for seq, entry in enumerate(entry_model.objects.using(schema_editor.connection.alias).order_by("id"), 1):
        entry.seq, entry.prev_hash, entry.ip = seq, previous, entry.ip or ""
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        entry.hash = entry_hash(fields)
        entry_model.objects.using(schema_editor.connection.alias).filter(pk=entry.pk).update(
            seq=entry.seq, prev_hash=entry.prev_hash, hash=entry.hash
        )
        previous = entry.hash


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def triggers_create(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP})


def triggers_drop(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0002_event_subscriptions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name="auditentry", name="seq", field=models.BigIntegerField(null=True)),
        migrations.AddField(
            model_name="auditentry",
            name="ip",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The client's address; empty outside a request.",
                max_length=45,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditentry", name="action", field=models.CharField(db_index=True, max_length=64)
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(model_name="auditentry", name="seq", field=models.BigIntegerField(unique=True)),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
