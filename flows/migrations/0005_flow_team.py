import django.db.models.deletion
from django.db import migrations, models

DEFAULT_TEAM = "General"


def to_default_team(apps, schema_editor):
    Flow = apps.get_model("flows", "Flow")
    Team = apps.get_model("identity", "Team")
    if Flow.objects.filter(team__isnull=True).exists():
        team, _ = Team.objects.get_or_create(name=DEFAULT_TEAM)
        Flow.objects.filter(team__isnull=True).update(team=team)


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0004_run_claim"),
        ("identity", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="flow",
            name="team",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="flows", to="identity.team"
            ),
        ),
        migrations.RunPython(to_default_team, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="flow",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="flows", to="identity.team"
            ),
        ),
    ]
