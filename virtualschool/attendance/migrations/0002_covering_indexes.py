"""Covering indexes for the figures on PostgreSQL: a group's summary rows are read from the index alone."""

from django.db import migrations

COUNTS = "present, aea, authorised, unauthorised, not_possible"
INDEXES = (
    ("attendance_month_covering", "attendance_attendancemonth", "child_id, month"),
    ("attendance_year_covering", "attendance_attendanceyear", "child_id, year"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, key in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({key}) INCLUDE ({COUNTS})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("attendance", "0001_marks")]

    operations = [migrations.RunPython(create, drop)]
