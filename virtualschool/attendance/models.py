"""Session marks, their monthly summary, the attendance policy numbers and uploads in progress.

Marks are the largest table in the service (two a school day for every child: about 380 a year each), so a
mark is four narrow columns keyed by (child, date, session) with no surrogate id and no other index. The
monthly summary is maintained by the importer in the same transaction (ADR "attendance marks").
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from virtualschool.children.models import Child
from virtualschool.schools.models import School

from . import codes


class Session(models.TextChoices):
    AM = "AM", "Morning"
    PM = "PM", "Afternoon"


class AttendanceMark(models.Model):
    """One registration mark: a child's morning or afternoon session on a school day, with its DfE code."""

    pk = models.CompositePrimaryKey("child", "date", "session")
    # No database constraint: a deferred foreign-key check per row doubles an import of millions of marks,
    # and the importer writes only children it has just resolved. Deleting a child still deletes its marks
    # (Django's cascade, served by the primary key's index, which starts with the child).
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.CharField(max_length=2, choices=[(c.code, c.meaning) for c in codes.CODES])
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,  # millions of rows: no per-row foreign-key check; the importer resolves the school
        help_text="The school the child was placed at on that date, when the mark was recorded",
    )

    class Meta:
        verbose_name = "attendance mark"

    def __str__(self) -> str:
        return f"{self.date:%d %B %Y} {self.session}: {self.code}"

    @property
    def mark_class(self) -> codes.MarkClass:
        return codes.CLASS_OF[self.code]


class AttendanceMonth(models.Model):
    """A child's marks in one calendar month counted by class: maintained by the importer, never edited.

    Figures for any period add up the whole months in it from here, and read marks only for part months.
    """

    pk = models.CompositePrimaryKey("child", "month")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    month = models.DateField(help_text="The first day of the month")
    # Plain integers, no CHECK: the importer upserts differences (-1 for a corrected mark's old class), and a
    # CHECK would be tested against the difference row before it is added to the stored counts.
    present = models.IntegerField(default=0)
    aea = models.IntegerField("approved educational activity", default=0)
    authorised = models.IntegerField(default=0)
    unauthorised = models.IntegerField(default=0)
    not_possible = models.IntegerField(default=0)

    class Meta:
        verbose_name = "attendance month"
        # On PostgreSQL a covering index (child, month) INCLUDE (the counts) lets the figures read a group's
        # months without the table (migration 0002: SQLite has no covering indexes).

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"


class AttendanceYear(models.Model):
    """A child's marks in one academic year (1 September to 31 August) counted by class, kept by the importer
    with the months: a period of whole years reads one row a child a year."""

    pk = models.CompositePrimaryKey("child", "year")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    year = models.PositiveSmallIntegerField(help_text="The calendar year the academic year starts in")
    present = models.IntegerField(default=0)
    aea = models.IntegerField("approved educational activity", default=0)
    authorised = models.IntegerField(default=0)
    unauthorised = models.IntegerField(default=0)
    not_possible = models.IntegerField(default=0)

    class Meta:
        verbose_name = "attendance year"

    def __str__(self) -> str:
        return f"{self.year}/{str(self.year + 1)[-2:]}"


class AttendancePolicy(models.Model):
    """The Virtual School's attendance numbers. One row; defaults from DUTIES.md, editable in the admin."""

    alert_below_percent = models.DecimalField(
        "attendance below this (per cent) alerts and proposes a PEP review",
        max_digits=4,
        decimal_places=1,
        default=85,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    falling_points = models.DecimalField(
        "attendance in the last four weeks this many points below the year to date is 'falling'",
        max_digits=4,
        decimal_places=1,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    persistent_absence_percent = models.DecimalField(
        "persistent absence: missing at least this per cent of possible sessions",
        max_digits=4,
        decimal_places=1,
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    severe_absence_percent = models.DecimalField(
        "severe absence: missing at least this per cent of possible sessions",
        max_digits=4,
        decimal_places=1,
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    missing_run_sessions = models.PositiveSmallIntegerField(
        "consecutive N or O sessions that may mean missing education",
        default=10,
        validators=[MinValueValidator(1)],
    )
    minimum_possible_sessions = models.PositiveSmallIntegerField(
        "possible sessions a child needs in a period before an attendance alert is raised",
        default=10,
        validators=[MinValueValidator(1)],
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "attendance policy"
        verbose_name_plural = "attendance policy"

    def __str__(self) -> str:
        return "Attendance policy"


class AttendanceUpload(models.Model):
    """A file uploaded on the page, imported by a background task; the page polls its progress."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to start"
        READING = "reading", "Reading the file"
        CHECKING = "checking", "Checking and saving the marks"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, help_text="Where the file is kept until it is imported")
    size = models.PositiveBigIntegerField(default=0)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    bytes_read = models.PositiveBigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.size:
            return 0
        # Reading is most of the work the page can measure; checking and saving is the last tenth.
        read = min(self.bytes_read / self.size, 1.0)
        return int(read * 90) + (5 if self.status == self.Status.CHECKING else 0)
