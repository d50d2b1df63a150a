"""Insert many rows fast: COPY on PostgreSQL, multi-row INSERT … RETURNING elsewhere.

QuerySet.bulk_create spends most of a 50,000-row import building model instances and compiling SQL value by
value (about 10 µs a value in Django 6.1). Here rows are plain tuples, each column gets one converter chosen once
from its field, and the database's own adapters are still Django's (dates on SQLite, JSON everywhere), so rows
read back exactly as the ORM would have written them. Like bulk_create: no save(), no signals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router

_PLAIN_TYPES = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)
# psycopg adapts these Python types itself; SQLite needs Django's text forms.
_PLAIN_ON_POSTGRESQL = frozenset({"DateField", "DateTimeField"})


def _converter(field: models.Field, connection: Any) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind in _PLAIN_TYPES or (connection.vendor == "postgresql" and kind in _PLAIN_ON_POSTGRESQL):
        return None
    if kind not in {"DateField", "DateTimeField"}:
        return lambda value: field.get_db_prep_save(value, connection)
    # An import stamps every row with the same moment and reuses a few thousand dates: convert each once.
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = field.get_db_prep_save(value, connection)
            return result

    return convert


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """INSERT `rows` (values in the order of `names`: field names or attnames like created_by_id) into `model`'s
    table and return the new primary keys, in the order of `rows`."""
    if not rows:
        return []
    opts = model._meta
    by_name = {f.attname: f for f in opts.concrete_fields} | {f.name: f for f in opts.concrete_fields}
    fields = [by_name[name] for name in names]
    connection = connections[router.db_for_write(model)]
    converters = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, connection)) is not None]
    if converters:
        converted = []
        for row in rows:
            values = list(row)
            for i, convert in converters:
                values[i] = convert(values[i])
            converted.append(values)
        rows = converted
    qn = connection.ops.quote_name
    table = qn(opts.db_table)
    pk_column = qn(opts.pk.column)
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Take the ids from the table's own sequence, then stream the rows with COPY (no SQL to compile).
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {table} ({pk_column}, {columns}) FROM STDIN") as copy:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row))
            return ids
        row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
        batch = max(1, min(2000, connection.ops.bulk_batch_size(fields, rows)))
        ids = []
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            # Only quoted names from the model's metadata are formatted in; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_placeholder] * len(chunk))} "  # noqa: S608
                f"RETURNING {pk_column}",
                [value for row in chunk for value in row],
            )
            # Rows come back in the order they were inserted (bulk_create relies on the same).
            ids.extend(pk for (pk,) in cursor.fetchall())
        return ids
