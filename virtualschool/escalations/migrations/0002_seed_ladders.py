"""The ladders of the source policies (DUTIES.md "Escalation ladders"), from fixtures/escalation_ladders.json."""

from django.db import migrations


def forwards(apps, schema_editor):
    from virtualschool.escalations.ladder_seed import load_ladders

    load_ladders(apps.get_model("escalations", "Ladder"), apps.get_model("escalations", "LadderLevel"))
    apps.get_model("escalations", "EscalationPolicy").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    apps.get_model("escalations", "Ladder").objects.filter(escalations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("escalations", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
