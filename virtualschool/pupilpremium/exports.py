"""Files for the council's finance team (CSV and XLSX) and the panel pack as a PDF.

Amounts are exact: pounds written from integer pence as text in CSV ("1234.56") and as a Decimal in XLSX with a
pound format, so no spreadsheet value is ever a binary float rounded from pence.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string

from . import selectors
from .models import Application, GrantYear, InterventionType

Row = list[Any]
Table = tuple[list[str], list[Row]]


class Pounds:
    """Pence to show as pounds: '1234.56' in CSV, a Decimal in a pound-formatted cell in XLSX."""

    __slots__ = ("pence",)

    def __init__(self, pence: int) -> None:
        self.pence = int(pence)

    def __str__(self) -> str:
        sign = "-" if self.pence < 0 else ""
        pounds, rest = divmod(abs(self.pence), 100)
        return f"{sign}{pounds}.{rest:02d}"

    def decimal(self) -> Decimal:
        return Decimal(self.pence) / 100


def ledger_table(year: GrantYear) -> Table:
    header = [
        "Entry",
        "Date",
        "Fund",
        "Kind",
        "Amount (£)",
        "Description",
        "Child reference",
        "School URN",
        "School",
        "Intervention type",
        "Central purpose",
        "Application",
        "Term",
        "Recorded by",
        "Recorded at",
    ]
    rows: list[Row] = []
    for e in selectors.ledger_entries(year).order_by("occurred_on", "pk"):
        rows.append(
            [
                e.pk,
                e.occurred_on.isoformat(),
                e.get_fund_display(),
                e.get_kind_display(),
                Pounds(e.amount_pence),
                e.description,
                e.child.social_care_reference if e.child else "",
                e.school.urn if e.school else "",
                e.school.name if e.school else "",
                e.get_intervention_type_display() if e.intervention_type else "",
                e.purpose.purpose if e.purpose else "",
                e.application_id or "",
                e.term,
                str(e.recorded_by) if e.recorded_by else "system",
                e.recorded_at.isoformat(timespec="seconds"),
            ]
        )
    return header, rows


def summary_table(year: GrantYear) -> Table:
    from virtualschool.children.models import Child

    header = ["Fund", "Breakdown", "Item", "Total (£)", "Committed (£)", "Spent (£)", "Remaining (£)"]
    rows: list[Row] = []
    for fund, position in selectors.balances(year).items():
        rows.append(
            [
                position.fund_label,
                "Whole fund",
                "Grant year " + year.label,
                Pounds(position.total),
                Pounds(position.committed),
                Pounds(position.spent),
                Pounds(position.remaining),
            ]
        )
        for by, label in (
            ("intervention_type", "Intervention type"),
            ("school", "School"),
            ("child", "Child"),
            ("purpose", "Central purpose"),
        ):
            found = selectors.breakdown(year, by, fund)
            refs: dict[Any, str] = {}
            if by == "child":
                refs = dict(
                    Child.objects.filter(pk__in=[r.key for r in found if r.key]).values_list(
                        "pk", "social_care_reference"
                    )
                )
            for row in found:
                rows.append(
                    [
                        position.fund_label,
                        label,
                        refs.get(row.key, row.label),
                        "",
                        Pounds(row.committed),
                        Pounds(row.spent),
                        "",
                    ]
                )
    return header, rows


def applications_table(year: GrantYear) -> Table:
    header = [
        "Application",
        "Submitted",
        "Status",
        "Fund",
        "Children (references)",
        "School",
        "Intervention type",
        "Provider",
        "Requested (£)",
        "Approved (£)",
        "Starts",
        "Ends",
        "Targets",
        "Targets achieved",
    ]
    rows: list[Row] = []
    apps = (
        Application.objects.filter(grant_year=year)
        .select_related("school")
        .prefetch_related("children", "targets")
        .order_by("pk")
    )
    for a in apps:
        targets = list(a.targets.all())
        rows.append(
            [
                a.pk,
                a.submitted_on.isoformat(),
                a.get_status_display(),
                a.get_fund_display(),
                "; ".join(c.social_care_reference for c in a.children.all()),
                a.school.name if a.school else "",
                a.get_intervention_type_display(),
                a.provider,
                Pounds(a.amount_pence),
                Pounds(a.approved_amount_pence) if a.approved_amount_pence is not None else "",
                a.starts_on.isoformat(),
                a.ends_on.isoformat(),
                len(targets),
                sum(1 for t in targets if t.outcome == "achieved"),
            ]
        )
    return header, rows


def impact_table(year: GrantYear) -> Table:
    header = [
        "Grouped by",
        "Group",
        "Applications",
        "Children",
        "Approved (£)",
        "Targets",
        "Reviewed",
        "Achieved",
        "Partly achieved",
        "Share achieved",
        "Change in attendance",
        "Change in attainment (subjects on track)",
    ]
    rows: list[Row] = []
    labels = dict(InterventionType.choices)
    for by, title in (("intervention_type", "Intervention type"), ("provider", "Provider")):
        for r in selectors.impact(year, by):
            rows.append(
                [
                    title,
                    labels.get(r.key, r.label) if by == "intervention_type" else r.label,
                    r.applications,
                    len(r.children),
                    Pounds(r.approved_pence),
                    r.targets,
                    r.reviewed,
                    r.achieved,
                    r.partly,
                    r.achieved_share,
                    r.attendance_change,
                    r.attainment_change,
                ]
            )
    return header, rows


TABLES: dict[str, Callable[[GrantYear], Table]] = {
    "ledger": ledger_table,
    "summary": summary_table,
    "applications": applications_table,
    "impact": impact_table,
}


def _cell_text(value: Any) -> str:
    text = str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet: prefix it.
    if text[:1] in {"=", "+", "@"} or (text[:1] == "-" and not isinstance(value, Pounds)):
        return "'" + text
    return text


def as_csv(header: Sequence[str], rows: Sequence[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell_text(v) if isinstance(v, str) else str(v) for v in row])
    return "\ufeff" + out.getvalue()


def as_xlsx(title: str, header: Sequence[str], rows: Sequence[Row]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31].capitalize()
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values: list[Any] = []
        for v in row:
            if isinstance(v, Pounds):
                values.append(v.decimal())
            elif isinstance(v, str):
                values.append(_cell_text(v))
            else:
                values.append(v)
        sheet.append(values)
        for index, v in enumerate(row, start=1):
            if isinstance(v, Pounds):
                sheet.cell(row=sheet.max_row, column=index).number_format = '"£"#,##0.00'
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pack_pdf(context: dict[str, Any]) -> bytes:
    """The panel pack as a PDF (WeasyPrint), from the same data as the page."""
    import logging

    from weasyprint import HTML

    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)  # its page-by-page progress is not for the server log
    html = render_to_string("pupilpremium/pack_pdf.html", context)
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
