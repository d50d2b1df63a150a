"""Benchmark: every duty computed for a roll of 10,000 children, and one lead's overdue list over 1,000,000.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/any .venv/bin/python bench/duties.py
    .venv/bin/python bench/duties.py                       # SQLite, a fresh file in a temporary folder

On PostgreSQL the database vsm_bench_duties (or --database; on the server DATABASE_URL names, never the database
it names) is dropped, recreated and migrated. The roll: 10,000 synthetic children with 25 leads, each child with
one to three education placements (some with a gap between them, some part-time), care status and roll dates,
and for a third of them a carer's SDQ above the threshold, half answered by a school SDQ.

The PEP, suspension and PP+ apps' own event sources are measured, reading real rows (bulk-created, as three years
of a roll this size would hold): a PEP for every term each child was looked after in the last three years (about
77,000: started, meeting date and mode, most meetings held and submitted), their four sections (the three the
meeting needs mostly completed, some late or missing), a quality-assurance review for about half of those
submitted, an interim PEP review for 6 % of children; suspensions for one child in eight over three years with
the social worker, reviewing officer, paperwork and (for those over five days) day-six provision dates, some
late; risks of permanent exclusion for 2 %; 600 PP+ applications at weekly panels, 95 % decided, most decisions
published. Only the kinds no app provides yet are simulated in memory with deterministic dates per child:
attendance's (`absence_recorded`, `absence_followed_up`, `attendance_below_threshold`,
`reduced_timetable_review_set`) and `designated_teacher_informed` (SIMULATED_KINDS; a kind a real source
provides is never replaced). Every seeded rule is then measured, so the engine does all of its work.

Timed (median of 3 after one warm-up, at 5,000 and 10,000 children to show how it grows):

1. compute: `engine.compute_all` — every rule for every child, nothing stored;
2. refresh: compute and store (first time: every instance inserted), then a refresh with nothing changed.

Then the duty instance table is filled to 500,000 and to 1,000,000 rows (100 clocks a child over 10,000
children, states as a real roll's: mostly met, some late, 5 % overdue), and one lead's overdue list —
`selectors.overdue_for(user=lead)`, every row fetched with its child and rule, as My work shows it — is timed
(median of 30 after 5 warm-ups) at each size.

PASS when computing every duty for 10,000 children takes under 5 s and the overdue list with 1,000,000
instances stored under 100 ms (medians, wall clock). The machine may be shared, so each figure is printed with
the process's CPU time (`time.process_time()`) and the load average. DEBUG is off, as in production.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_NAME = "vsm_bench_duties"
ROLL_SIZE = 10_000
LEADS = 25
COMPUTE_TARGET_S = 5.0
OVERDUE_TARGET_MS = 100.0
TODAY = dt.date(2026, 11, 26)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (5 min {five:.1f})"


def database_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    folder = Path(tempfile.mkdtemp(prefix="vsm-bench-duties-"))
    return f"sqlite:///{folder / (name + '.sqlite3')}"


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False


def build_roll(seed: int) -> tuple[list[Any], list[int]]:
    """The synthetic roll; returns the leads and the children's ids."""
    from virtualschool.accounts.models import Role, User
    from virtualschool.children.models import Child, SdqScore
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.schools.models import School

    rng = random.Random(seed)
    User.objects.create(username="head", email="head@bench.invalid", role=Role.VIRTUAL_SCHOOL_HEAD, full_name="Head")
    leads = User.objects.bulk_create(
        [
            User(
                username=f"lead{n}",
                email=f"lead{n}@bench.invalid",
                role=Role.VIRTUAL_SCHOOL_LEAD,
                full_name=f"Lead {n}",
            )
            for n in range(LEADS)
        ]
    )
    teachers = User.objects.bulk_create(
        [
            User(
                username=f"dt{n}", email=f"dt{n}@bench.invalid", role=Role.DESIGNATED_TEACHER, full_name=f"Teacher {n}"
            )
            for n in range(200)
        ]
    )
    schools = School.objects.bulk_create(
        [School(urn=800000 + n, name=f"School {n}", la_code="999" if n % 3 else "888") for n in range(200)]
    )
    children = []
    for n in range(ROLL_SIZE):
        entered = TODAY - dt.timedelta(days=rng.randrange(20, 2200))
        received = entered + dt.timedelta(days=rng.randrange(0, 3))
        children.append(
            Child(
                social_care_reference=f"B{n:06d}",
                first_name=f"Child{n}",
                last_name="Bench",
                date_of_birth=dt.date(2008, 9, 1) + dt.timedelta(days=rng.randrange(0, 5000)),
                period_of_care_start=entered,
                date_first_entered_care=entered,
                care_status_received_on=received,
                added_to_roll_on=received + dt.timedelta(days=rng.choice([0, 1, 2, 3, 4, 6])),
                allocated_lead=leads[n % LEADS],
            )
        )
    children = Child.objects.bulk_create(children, batch_size=2000)
    placements, sdqs = [], []
    for child in children:
        start = child.period_of_care_start
        for index in range(rng.choice([1, 1, 2, 3])):
            school_index = rng.randrange(len(schools))
            end = start + dt.timedelta(days=rng.randrange(100, 500))
            last = end >= TODAY
            placements.append(
                EducationPlacement(
                    child=child,
                    school=schools[school_index],
                    start_date=start,
                    end_date=None if last else end,
                    hours_per_week=rng.choice([32.5, 32.5, 32.5, 15]),
                    designated_teacher=teachers[school_index],
                )
            )
            if last:
                break
            start = end + dt.timedelta(days=rng.choice([1, 1, 1, 9]))
            if index == 2 or start >= TODAY:
                break
        if rng.random() < 0.33:
            on = TODAY - dt.timedelta(days=rng.randrange(10, 700))
            sdqs.append(SdqScore(child=child, recorded_on=on, respondent="carer", total_score=18, emotional_score=6,
                                 conduct_score=4, hyperactivity_score=6, peer_score=2, prosocial_score=7))  # fmt: skip
            if rng.random() < 0.5:
                sdqs.append(SdqScore(child=child, recorded_on=on + dt.timedelta(days=rng.randrange(5, 50)),
                                     respondent="teacher", total_score=12))  # fmt: skip
    EducationPlacement.objects.bulk_create(placements, batch_size=2000)
    SdqScore.objects.bulk_create(sdqs, batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have, after a load this size
    return leads, [c.pk for c in children]


def build_app_records(seed: int, leads: list[Any], child_ids: list[int]) -> dict[str, int]:
    """Real rows in the PEP, suspension and PP+ tables, which their apps' registered sources read (bulk-created:
    what a roll this size holds after three years, not written through the services one by one)."""
    from virtualschool.children.models import Child
    from virtualschool.core.calendar import school_calendar
    from virtualschool.peps.duty_events import SECTIONS_BEFORE_MEETING
    from virtualschool.peps.models import MeetingMode, Pep, PepSection, PepStatus, PepType, QaReview
    from virtualschool.placements.models import EducationPlacement
    from virtualschool.pupilpremium.models import Application, Decision, GrantYear, Outcome, Panel
    from virtualschool.suspensions.models import ExclusionRisk, Suspension

    rng = random.Random(seed + 1)
    calendar = school_calendar()
    terms = calendar.terms_between(dt.date(TODAY.year - 3, TODAY.month, 1), TODAY)
    entered = dict(Child.objects.filter(pk__in=child_ids).values_list("pk", "period_of_care_start"))
    school_of: dict[int, int] = {}
    for child_id, school_id in EducationPlacement.objects.order_by("start_date").values_list("child_id", "school_id"):
        school_of[child_id] = school_id  # the latest placement's school
    peps, reviewed = [], []
    for child_id in child_ids:
        began = entered[child_id]
        for term in terms:
            if term.end < began:
                continue
            start = max(term.start, began) + dt.timedelta(days=rng.randrange(0, 12))
            if start > TODAY:
                break
            meeting = start + dt.timedelta(days=rng.randrange(10, 30))
            held = meeting if meeting <= TODAY and rng.random() < 0.92 else None
            submitted = held + dt.timedelta(days=rng.randrange(3, 26)) if held else None
            if submitted and submitted > TODAY:
                submitted = None
            pep = Pep(
                child_id=child_id,
                academic_year=term.academic_year,
                term=term.term,
                pep_type=PepType.INITIAL if term.start <= began <= term.end else PepType.TERMLY,
                status=PepStatus.SUBMITTED if submitted else PepStatus.MEETING_HELD if held else PepStatus.IN_PROGRESS,
                school_id=school_of.get(child_id),
                started_on=start,
                meeting_date=meeting,
                meeting_mode=(
                    MeetingMode.IN_PERSON if term.term == "autumn" or rng.random() < 0.2 else MeetingMode.VIRTUAL
                ),
                meeting_held_on=held,
                submitted_on=submitted,
            )
            peps.append(pep)
            if submitted and rng.random() < 0.55:
                reviewed.append((pep, submitted + dt.timedelta(days=rng.randrange(2, 20))))
        if rng.random() < 0.06:  # an interim review after a change of provision or a risk of exclusion
            day = TODAY - dt.timedelta(days=rng.randrange(10, 900))
            if day >= began:
                term = calendar.term_for(day)
                peps.append(Pep(child_id=child_id, academic_year=term.academic_year, term=term.term,
                                pep_type=PepType.INTERIM, status=PepStatus.MEETING_HELD,
                                started_on=day, meeting_date=day, meeting_held_on=day,
                                meeting_mode=MeetingMode.VIRTUAL))  # fmt: skip
    Pep.objects.bulk_create(peps, batch_size=2000)
    sections = []
    for pep in peps:
        if pep.meeting_date is None:
            continue
        complete = rng.random() < 0.85
        for kind in SECTIONS_BEFORE_MEETING:
            done_on = pep.meeting_date - dt.timedelta(days=rng.randrange(-3, 8))
            done = (complete or rng.random() < 0.5) and done_on <= TODAY
            sections.append(PepSection(pep=pep, kind=kind, completed=done, completed_on=done_on if done else None))
        sections.append(PepSection(pep=pep, kind="carer"))
    PepSection.objects.bulk_create(sections, batch_size=5000)
    qa = [QaReview(pep=pep, reviewer=leads[pep.child_id % LEADS], grade="good", completed_on=min(day, TODAY))
          for pep, day in reviewed]  # fmt: skip
    QaReview.objects.bulk_create(qa, batch_size=5000)

    suspensions, risks = [], []
    history = TODAY - dt.timedelta(days=3 * 365)
    for child_id in child_ids:
        school_id = school_of.get(child_id)
        if school_id is None:
            continue
        if rng.random() < 1 / 8:
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                start = max(entered[child_id], history) + dt.timedelta(days=rng.randrange(0, 1000))
                if start > TODAY:
                    continue
                days = rng.choice([1, 1, 2, 3, 5, 8])
                late = rng.random() < 0.15

                def told(most: int, late: bool = late, start: dt.date = start) -> dt.date | None:
                    day = start + dt.timedelta(days=rng.randrange(0, most + 1) + (4 if late else 0))
                    return day if day <= TODAY else None

                suspensions.append(
                    Suspension(
                        child_id=child_id, school_id=school_id, decided_on=start - dt.timedelta(days=1),
                        start_date=start, length_unit="days", length=days,
                        end_date=start + dt.timedelta(days=days + days // 5 * 2), school_days=days,
                        full_time_from=start + dt.timedelta(days=7) if days > 5 else None, reasons=["PA"],
                        vs_told_on=told(0), social_worker_told_on=told(0), reviewing_officer_told_on=told(1),
                        paperwork_received_on=told(3),
                        provision_day6_arranged_on=told(6) if days > 5 else None,
                    )
                )  # fmt: skip
        if rng.random() < 0.02:
            raised = max(entered[child_id], history) + dt.timedelta(days=rng.randrange(0, 1000))
            if raised <= TODAY:
                risks.append(ExclusionRisk(child_id=child_id, school_id=school_id, raised_on=raised,
                                           raised_by="Head of year", school_said="Behaviour escalating"))  # fmt: skip
    Suspension.objects.bulk_create(suspensions, batch_size=2000)
    ExclusionRisk.objects.bulk_create(risks, batch_size=2000)

    years = GrantYear.objects.bulk_create(
        [
            GrantYear(label=f"{y}-{(y + 1) % 100:02d}", starts_on=dt.date(y, 4, 1), ends_on=dt.date(y + 1, 3, 31),
                      census_date=dt.date(y - 1, 3, 31), rate_per_child_pence=257000, is_current=y == 2026)
            for y in range(2023, 2027)
        ]
    )  # fmt: skip
    panels = Panel.objects.bulk_create(
        [
            Panel(grant_year=years[min((day.year - 2023) - (day.month < 4), 3)], meets_on=day)
            for day in (TODAY - dt.timedelta(weeks=w) for w in range(1, 150))
            if day >= dt.date(2023, 4, 1)
        ]
    )  # fmt: skip
    applications, decisions, links = [], [], []
    Children = Application.children.through
    for n in range(600):
        panel = panels[n % len(panels)]
        submitted = panel.meets_on - dt.timedelta(days=rng.randrange(1, 12))
        applications.append(
            Application(grant_year=panel.grant_year, applicant=leads[n % LEADS], intervention_type="tuition",
                        provider="Tutors Ltd", description="One-to-one maths tuition", amount_pence=60000,
                        starts_on=panel.meets_on, ends_on=panel.meets_on + dt.timedelta(days=90),
                        status=Application.Status.APPROVED, panel=panel, approved_amount_pence=60000,
                        submitted_on=submitted)
        )  # fmt: skip
    Application.objects.bulk_create(applications, batch_size=2000)
    for n, application in enumerate(applications):
        for child_id in (
            {child_ids[(n * 17) % len(child_ids)], child_ids[(n * 17 + 1) % len(child_ids)]}
            if n % 10 == 0
            else {child_ids[(n * 17) % len(child_ids)]}
        ):
            links.append(Children(application_id=application.pk, child_id=child_id))
        if rng.random() < 0.95:
            meets = application.panel.meets_on + dt.timedelta(days=rng.choice([0, 0, 0, 9]))
            decided = dt.datetime.combine(meets, dt.time(15, 0), tzinfo=dt.UTC)
            decisions.append(
                Decision(application=application, panel=application.panel, outcome=Outcome.APPROVE, amount_pence=60000,
                         decided_at=decided, visible_on=meets + dt.timedelta(days=1),
                         published_at=decided + dt.timedelta(days=rng.choice([1, 1, 1, 4]))
                         if rng.random() < 0.95 else None)
            )  # fmt: skip
    Children.objects.bulk_create(links, batch_size=2000)
    Decision.objects.bulk_create(decisions, batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "PEPs": len(peps),
        "PEP sections": len(sections),
        "QA reviews": len(qa),
        "suspensions": len(suspensions),
        "exclusion risks": len(risks),
        "PP+ applications": len(applications),
        "PP+ decisions": len(decisions),
    }


# The kinds no app provides yet (attendance's, and the designated teacher told of an arrival): simulated.
SIMULATED_KINDS = (
    ("designated_teacher_informed", 2, 400, 3),
    ("absence_recorded", 50, 90, 12),
    ("absence_followed_up", 50, 90, 12),
    ("attendance_below_threshold", 200, 300, 5),
    ("reduced_timetable_review_set", 20, 300, 5),
)


def register_simulated_sources() -> list[str]:
    """In-memory stand-ins (deterministic dates per child) for the kinds in SIMULATED_KINDS that no app's source
    provides; a kind a real source provides is left to it. Returns the kinds simulated."""
    from virtualschool.duties import events

    def offsets(kind: str, spread: int, every: int, count: int):  # type: ignore[no-untyped-def]
        salt = sum(map(ord, kind))

        steps = [dt.timedelta(days=k * every) for k in range(count)]

        def source(child_ids, context):  # type: ignore[no-untyped-def]
            since, today = context.events_from, context.today  # as a real source, only what could count
            for child_id in child_ids:
                facts = context.children.get(child_id)
                if facts is None or facts.period_of_care_start is None:
                    continue
                base = facts.period_of_care_start + dt.timedelta(days=(child_id * 7 + salt) % spread)
                for k, step in enumerate(steps):
                    day = base + step
                    if day > today:
                        break
                    if day >= since:
                        yield child_id, day, f"{kind}:{k}"

        return source

    simulated = []
    for kind, spread, every, count in SIMULATED_KINDS:
        if events.provides(kind):
            continue
        events.register_event_source(kind, offsets(kind, spread, every, count), label=kind, app="bench")
        simulated.append(kind)
    return simulated


CPU: list[float] = []  # this process's CPU time for each timed run (the machine is shared: see the README)


def timed(fn, runs: int, warmups: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(warmups):
        fn()
    found = []
    CPU.clear()
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        found.append(time.perf_counter() - started)
        CPU.append(time.process_time() - cpu)
    return found


def fill_instances(total: int, child_ids: list[int], rule_ids: list[int], leads: list[Any], postgres: bool) -> None:
    """Replace the stored instances by `total` synthetic ones (100 per child: rules cycled, weekly starts)."""
    from django.db import connection

    from virtualschool.duties.models import DutyInstance

    DutyInstance.objects.all().delete()
    per_child = total // len(child_ids)
    states = ["met_on_time"] * 80 + ["met_late"] * 10 + ["overdue"] * 5 + ["due"] * 2 + ["upcoming"] * 3
    rng = random.Random(7)
    base = dt.date(2022, 1, 3)

    def rows():  # type: ignore[no-untyped-def]
        for child_id in child_ids:
            for k in range(per_child):
                state = rng.choice(states)
                started = base + dt.timedelta(days=7 * k)
                due = started + dt.timedelta(days=14)
                met = due - dt.timedelta(days=2) if state == "met_on_time" else due + dt.timedelta(days=3)
                yield (child_id, rule_ids[k % len(rule_ids)], started, due,
                       met if state.startswith("met") else None, state, "", "", TODAY)  # fmt: skip

    columns = "child_id, rule_id, started_on, due_on, met_on, state, reference, met_reference, computed_on"
    if postgres:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY duties_dutyinstance ({columns}) FROM STDIN") as copy,
        ):
            for row in rows():
                copy.write_row(row)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE duties_dutyinstance")
    else:
        batch = []
        for row in rows():
            batch.append(DutyInstance(child_id=row[0], rule_id=row[1], started_on=row[2], due_on=row[3],
                                      met_on=row[4], state=row[5], computed_on=row[8]))  # fmt: skip
            if len(batch) == 5000:
                DutyInstance.objects.bulk_create(batch)
                batch = []
        DutyInstance.objects.bulk_create(batch)


def main() -> int:
    global ROLL_SIZE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--list-runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--children", type=int, default=10_000, help="the roll's size (10,000 for the target)")
    parser.add_argument("--database", default=DATABASE_NAME, help="the benchmark's own database (dropped first)")
    args = parser.parse_args()
    ROLL_SIZE = args.children

    url = database_url(args.database)
    engine_name = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    if engine_name == "PostgreSQL":
        recreate_postgres(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from virtualschool.duties import engine, selectors
    from virtualschool.duties.models import DutyInstance, DutyRule

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    leads, child_ids = build_roll(args.seed)
    records = build_app_records(args.seed, leads, child_ids)
    simulated = register_simulated_sources()
    from virtualschool.duties import events

    real = sorted(kind for kind, source in events.event_sources().items() if source.app != "bench")
    measured = len(engine.measured_rules())
    print(
        f"Duties on {engine_name} ({connection.settings_dict['NAME']}): {len(child_ids)} children, "
        f"{measured} of {DutyRule.objects.count()} rules measured, built in {time.perf_counter() - started:.1f} s; "
        f"load average {load_average()}"
    )
    print("records: " + ", ".join(f"{count:,} {name}" for name, count in records.items()))
    print(f"event kinds read from the database or the roll: {len(real)}; simulated: {', '.join(simulated) or 'none'}")

    compute: dict[int, float] = {}
    for size in (ROLL_SIZE // 2, ROLL_SIZE):
        ids = child_ids[:size]
        found: list[Any] = []

        def run(ids: list[int] = ids, found: list[Any] = found) -> None:
            found[:] = engine.compute_all(ids, today=TODAY)

        compute[size] = statistics.median(timed(run, args.runs, 1))
        print(
            f"compute every duty, {size} children: median {compute[size]:.2f} s (CPU {statistics.median(CPU):.2f} s), "
            f"{len(found)} duty instances; load average {load_average()}"
        )

    slugs = dict(DutyRule.objects.values_list("pk", "slug"))
    by_rule = collections.Counter(slugs[item.rule_id] for item in found)
    print("clocks by rule: " + ", ".join(f"{slug} {count:,}" for slug, count in sorted(by_rule.items())))

    DutyInstance.objects.all().delete()
    t0, c0 = time.perf_counter(), time.process_time()
    first = engine.refresh(child_ids, today=TODAY, notify=False)
    stored, stored_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    again = engine.refresh(child_ids, today=TODAY, notify=False)
    unchanged, unchanged_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"refresh, {ROLL_SIZE} children, nothing stored yet: {stored:.2f} s (CPU {stored_cpu:.2f} s; "
        f"{first.summary()}); load average {load_average()}"
    )
    print(
        f"refresh again, nothing changed: {unchanged:.2f} s (CPU {unchanged_cpu:.2f} s; {again.created} new, "
        f"{again.updated} changed); load average {load_average()}"
    )

    rule_ids = list(DutyRule.objects.values_list("pk", flat=True))
    lead = leads[0]
    overdue: dict[int, float] = {}
    returned: dict[int, int] = {}
    for total in (500_000, 1_000_000):
        t0 = time.perf_counter()
        fill_instances(total, child_ids, rule_ids, leads, engine_name == "PostgreSQL")
        filled = time.perf_counter() - t0
        rows: list[Any] = []

        def overdue_list(rows: list[Any] = rows) -> None:
            rows[:] = selectors.overdue_for(user=lead)

        overdue[total] = statistics.median(timed(overdue_list, args.list_runs, 5)) * 1000
        returned[total] = len(rows)
        with CaptureQueriesContext(connection) as queries:
            overdue_list()
        print(
            f"overdue list for one lead, {DutyInstance.objects.count()} instances stored (filled in {filled:.0f} s): "
            f"median {overdue[total]:.1f} ms (CPU {statistics.median(CPU) * 1000:.1f} ms), {len(rows)} rows, "
            f"{len(queries)} queries; load average {load_average()}"
        )

    half, full = ROLL_SIZE // 2, ROLL_SIZE
    print(
        f"growth: compute x{compute[full] / compute[half]:.2f} for x2 children; overdue list "
        f"x{overdue[1_000_000] / overdue[500_000]:.2f} for x2 instances stored "
        f"(x{returned[1_000_000] / max(returned[500_000], 1):.2f} rows returned)"
    )
    ok = compute[full] < COMPUTE_TARGET_S and overdue[1_000_000] < OVERDUE_TARGET_MS
    print(
        f"every duty for {full} children under {COMPUTE_TARGET_S:.0f} s: "
        f"{'yes' if compute[full] < COMPUTE_TARGET_S else 'NO'}; "
        f"overdue list with 1,000,000 stored under {OVERDUE_TARGET_MS:.0f} ms: "
        f"{'yes' if overdue[1_000_000] < OVERDUE_TARGET_MS else 'NO'}"
    )
    if engine_name == "SQLite":
        connection.close()
        shutil.rmtree(Path(connection.settings_dict["NAME"]).parent, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
