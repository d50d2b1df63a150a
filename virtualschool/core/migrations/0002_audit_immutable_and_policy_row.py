"""Audit rows cannot be changed (nor, on PostgreSQL, deleted row by row) even by SQL; the policy row exists."""

from django.db import migrations

from virtualschool.core.migrations import _audit_triggers


def forwards(apps, schema_editor):
    _audit_triggers.ensure(apps, schema_editor)
    apps.get_model("core", "ServicePolicy").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    _audit_triggers.drop(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
