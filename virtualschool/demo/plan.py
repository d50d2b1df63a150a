"""Plan the synthetic demo in memory: people, schools and children, decided by one seed and today's date.

Nothing here touches the database, so the same seed and date always give the same plan (tested). The
builder then writes the plan through the services. Every name comes from Faker (en_GB) or from the word
lists in `catalogue`: never a real child.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from faker import Faker
from stdnum.gb import upn as stdnum_upn

from virtualschool.accounts.models import Role
from virtualschool.core.calendar import academic_year_start, add_working_days, is_working_day

from . import catalogue as cat

KINDS_FOR_PRIMARY = ("primary", "all_through")
KINDS_FOR_SECONDARY = ("secondary", "all_through")


@dataclass
class UserPlan:
    username: str
    full_name: str
    role: str
    team: str = ""
    phone: str = ""
    is_staff: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@{cat.EMAIL_DOMAIN}"


@dataclass
class SchoolPlan:
    urn: int
    kind: str
    in_area: bool
    values: dict[str, Any]
    designated_teacher: str = ""

    @property
    def rating(self) -> str:
        return self.values["ofsted_rating"]


@dataclass
class PlacementPlan:
    values: dict[str, Any]
    school_urn: int | None = None


@dataclass
class ChildPlan:
    cohort: str
    nc_year: int
    values: dict[str, Any]
    in_area: bool = True
    actor: str = "data"
    lead: str = ""
    social_worker: str = ""
    reviewing_officer: str = ""
    entered_care: dt.date | None = None
    legal_status: str = ""
    episodes: list[dict[str, Any]] = field(default_factory=list)
    placements: list[PlacementPlan] = field(default_factory=list)
    closure: dict[str, Any] | None = None
    states: set[str] = field(default_factory=set)

    @property
    def reference(self) -> str:
        return self.values["social_care_reference"]

    @property
    def name(self) -> str:
        return f"{self.values['first_name']} {self.values['last_name']}"

    @property
    def dob(self) -> dt.date:
        return self.values["date_of_birth"]

    @property
    def is_open(self) -> bool:
        return self.closure is None

    @property
    def school_age(self) -> bool:
        return 1 <= self.nc_year <= 11


@dataclass
class DemoPlan:
    seed: int
    size: str
    today: dt.date
    users: list[UserPlan]
    schools: list[SchoolPlan]
    memberships: list[tuple[str, int]]
    children: list[ChildPlan]


def birthday(dob: dt.date, years: int) -> dt.date:
    """The date a person born on `dob` turns `years` (29 February birthdays fall on 1 March)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return dt.date(dob.year + years, 3, 1)


def term_start(year: int) -> dt.date:
    """The first day of the autumn term beginning in `year` (the first working day from 3 September)."""
    day = dt.date(year, 9, 3)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def summer_end(year: int) -> dt.date:
    """The last day of the summer term ending in `year`."""
    day = dt.date(year, 7, 22)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


class Planner:
    """Turns a seed, a size and a date into a DemoPlan."""

    def __init__(self, *, seed: int, size: str, today: dt.date) -> None:
        if size not in cat.SCHOOL_MIX:
            raise ValueError(f"Unknown demo size {size!r}: use one of {', '.join(cat.SCHOOL_MIX)}.")
        self.seed = seed
        self.size = size
        self.today = today
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.year = academic_year_start(today)
        self.year_start = dt.date(self.year, 9, 1)
        self.this_term = min(term_start(self.year), today)
        self.history_start = today - dt.timedelta(days=365)
        self.mix = cat.CHILD_MIX[size]
        self._places = self._place_names()
        self._town_names = [self._place() for _ in range(12)]
        self._upns: set[str] = set()
        self._phones = 0
        self._missing_count = 0

    # ---------------------------------------------------------------- helpers

    def _weighted(self, weights: Mapping[Any, float]) -> Any:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def _working_day(self, day: dt.date, *, backward: bool = False) -> dt.date:
        """The nearest working day from `day` (later, or earlier with backward), never after today."""
        found = day
        while not is_working_day(found):
            found += dt.timedelta(days=-1 if backward else 1)
        if not backward and found > self.today:
            return self._working_day(day, backward=True)
        return found

    def _place_names(self) -> list[str]:
        names = [p + s for p in cat.PLACE_PREFIXES for s in cat.PLACE_SUFFIXES]
        self.rng.shuffle(names)
        return names

    def _place(self) -> str:
        return self._places.pop()

    def _person(self, gender: str = "") -> tuple[str, str]:
        if gender == "M":
            first = self.fake.first_name_male()
        elif gender == "F":
            first = self.fake.first_name_female()
        else:
            first = self.fake.first_name()
        return first, self.fake.last_name()

    def _phone(self, mobile: bool = True) -> str:
        # Ofcom keeps these ranges for drama: they never ring a real person.
        self._phones = (self._phones + 1) % 1000
        return f"07700 900{self._phones:03d}" if mobile else f"01632 960{self._phones:03d}"

    def _address(self) -> str:
        street = f"{self.rng.randint(1, 120)} {self.rng.choice(cat.PLACE_PREFIXES)} {self.rng.choice(_STREETS)}"
        return f"{street}\n{self.rng.choice(self._town_names)}\n{self.fake.postcode()}"

    # ---------------------------------------------------------------- the plan

    def plan(self) -> DemoPlan:
        schools = self._schools()
        users, memberships = self._users(schools)
        children = self._children(schools)
        return DemoPlan(
            seed=self.seed,
            size=self.size,
            today=self.today,
            users=users,
            schools=schools,
            memberships=memberships,
            children=children,
        )

    # ---------------------------------------------------------------- schools

    def _schools(self) -> list[SchoolPlan]:
        schools: list[SchoolPlan] = []
        urn = cat.DEMO_URN_FIRST
        numbers: dict[tuple[str, str], int] = {}
        for area, mix in cat.SCHOOL_MIX[self.size].items():
            for kind, count in mix.items():
                spec = cat.SCHOOL_KINDS[kind]
                for _ in range(count):
                    if area == "in":
                        la_code, la_name = cat.HOME_LA_CODE, cat.AUTHORITY_NAME
                    else:
                        la_code, la_name = self.rng.choice(cat.NEIGHBOURS)
                    key = (la_code, kind)
                    numbers[key] = numbers.get(key, spec["number_from"]) + 1
                    pattern, types = self.rng.choice(spec["names"])
                    name = pattern.format(place=self._place(), saint=self.rng.choice(cat.SAINTS))
                    rating = self._weighted({"outstanding": 17, "good": 73, "": 6, "requires_improvement": 4})
                    values = {
                        "urn": urn,
                        "la_code": la_code,
                        "establishment_number": f"{numbers[key]:04d}",
                        "name": name,
                        "type_name": self.rng.choice(types),
                        "phase": spec["phase"],
                        "status": "Open",
                        "postcode": self.fake.postcode(),
                        "la_name": la_name,
                        "ofsted_rating": rating,
                        "ofsted_last_inspected": None,
                    }
                    schools.append(SchoolPlan(urn=urn, kind=kind, in_area=area == "in", values=values))
                    urn += 1
        self._force_ratings(schools)
        for school in schools:
            if school.rating:
                school.values["ofsted_last_inspected"] = self.today - dt.timedelta(days=self.rng.randint(60, 1800))
        return schools

    def _force_ratings(self, schools: list[SchoolPlan]) -> None:
        """A few schools require improvement and one or two are inadequate, so the rationale rules show."""
        mainstream = [s for s in schools if s.kind in ("primary", "secondary")]
        inadequate = [self.rng.choice([s for s in mainstream if s.in_area and s.kind == "secondary"])]
        if self.size == "full":
            inadequate.append(self.rng.choice([s for s in mainstream if not s.in_area]))
        for school in inadequate:
            school.values["ofsted_rating"] = "inadequate"
        wanted_ri = 5 if self.size == "full" else 1
        have_ri = [s for s in schools if s.rating == "requires_improvement"]
        others = [s for s in mainstream if s.rating in ("good", "outstanding")]
        for school in self.rng.sample(others, max(wanted_ri - len(have_ri), 0)):
            school.values["ofsted_rating"] = "requires_improvement"

    # ---------------------------------------------------------------- people

    def _users(self, schools: list[SchoolPlan]) -> tuple[list[UserPlan], list[tuple[str, int]]]:
        users = [UserPlan("admin", self._full_name(), Role.ADMINISTRATOR, is_staff=True)]
        users.append(UserPlan("head", self._full_name(), Role.VIRTUAL_SCHOOL_HEAD, phone=self._phone(False)))
        users += [
            UserPlan(f"lead{n}", self._full_name(), Role.VIRTUAL_SCHOOL_LEAD, phone=self._phone(False))
            for n in range(1, 7)
        ]
        users.append(UserPlan("data", self._full_name(), Role.DATA_SPECIALIST))
        users.append(UserPlan("send", self._full_name(), Role.SEND_SPECIALIST))
        users.append(UserPlan("manager", self._full_name(), Role.SERVICE_MANAGER))
        memberships: list[tuple[str, int]] = []
        in_area = [s for s in schools if s.in_area]
        # Most in-area schools have a designated teacher with an account; a few have not signed up yet.
        with_dt = [s for s in in_area if self.rng.random() < 0.85 or s.kind == "secondary"]
        primaries = [s for s in with_dt if s.kind == "primary"]
        shared = primaries[1] if len(primaries) > 1 else None
        with_dt = [*primaries[:1], *(s for s in with_dt if s not in primaries[:1])]
        number = 0
        for school in with_dt:
            if school is shared:
                # Two schools in a federation share one designated teacher (dt1).
                school.designated_teacher = "dt1"
                memberships.append(("dt1", school.urn))
                continue
            number += 1
            username = f"dt{number}"
            users.append(UserPlan(username, self._full_name(), Role.DESIGNATED_TEACHER))
            school.designated_teacher = username
            memberships.append((username, school.urn))
        number = 0
        for team, count in cat.STAFF_TEAMS:
            for _ in range(count):
                number += 1
                users.append(
                    UserPlan(f"sw{number}", self._full_name(), Role.SOCIAL_WORKER, team=team, phone=self._phone())
                )
        users += [
            UserPlan(f"iro{n}", self._full_name(), Role.REVIEWING_OFFICER, team="Independent reviewing service")
            for n in range(1, 5)
        ]
        users += [UserPlan(f"panel{n}", self._full_name(), Role.PANEL_MEMBER) for n in range(1, 4)]
        return users, memberships

    def _full_name(self) -> str:
        first, last = self._person()
        return f"{first} {last}"

    # ---------------------------------------------------------------- children

    def _children(self, schools: list[SchoolPlan]) -> list[ChildPlan]:
        self._schools_by_kind: dict[tuple[str, bool], list[SchoolPlan]] = {}
        for school in schools:
            self._schools_by_kind.setdefault((school.kind, school.in_area), []).append(school)
        self._school_by_urn = {s.urn: s for s in schools}
        references = self.rng.sample(range(1_000_000, 9_999_999), 1000)
        children: list[ChildPlan] = []
        n_cla = self.mix["looked_after"]
        n_uasc = max(1, round(n_cla * 0.06))
        for index in range(n_cla):
            children.append(self._base_child("cla", uasc=index < n_uasc))
        children += [self._base_child("plac") for _ in range(self.mix["previously_looked_after"])]
        children += [self._base_child("ola") for _ in range(self.mix["other_authority"])]
        for child, reference in zip(children, references, strict=False):
            child.values["social_care_reference"] = str(reference)
        self._choose_states(children)
        for child in children:
            if child.cohort == "cla":
                self._episodes(child)
                self._roll_duty(child)
                self._carer(child)
            self._placements(child)
            self._allocate(child)
        self._fill_schools(children)
        self._school_details(children)
        return children

    def _base_child(self, cohort: str, *, uasc: bool = False) -> ChildPlan:
        rng = self.rng
        if uasc:
            nc_year = self._weighted({10: 2, 11: 4, 12: 5, 13: 4})
            gender = "M" if rng.random() < 0.92 else "F"
            first, last = rng.choice(cat.UASC_FIRST_NAMES), rng.choice(cat.UASC_LAST_NAMES)
            if gender == "F":
                first = rng.choice(["Amina", "Selam", "Hana", "Mahlet", "Zahra"])
        else:
            nc_year = self._weighted(cat.NC_YEAR_WEIGHTS)
            if cohort == "plac":
                nc_year = rng.randint(0, 11)
            elif cohort == "ola":
                nc_year = rng.randint(1, 11)
            gender = "M" if rng.random() < 0.55 else "F"
            first, last = self._person(gender)
        born_from = dt.date(self.year - nc_year - 5, 9, 1)
        born_to = dt.date(self.year - nc_year - 4, 8, 31)
        dob = self._date_between(born_from, min(born_to, birthday(self.today, -2)))
        ethnicity = self._weighted(cat.UASC_ETHNICITY_WEIGHTS if uasc else cat.ETHNICITY_WEIGHTS)
        if uasc:
            eal: bool | None = True
        elif ethnicity == "WBRI":
            eal = False
        else:
            eal = rng.random() < 0.35 if rng.random() > 0.05 else None
        values: dict[str, Any] = {
            "cohort": cohort,
            "first_name": first,
            "middle_names": self.fake.first_name_male() if gender == "M" and rng.random() < 0.5 else "",
            "last_name": last,
            "preferred_name": cat.SHORT_NAMES.get(first, "") if rng.random() < 0.6 else "",
            "gender": gender,
            "date_of_birth": dob,
            "ethnicity": ethnicity,
            "english_additional_language": eal,
            "uasc": uasc,
        }
        if gender == "F" and not values["middle_names"] and rng.random() < 0.5:
            values["middle_names"] = self.fake.first_name_female()
        self._send(values, nc_year)
        child = ChildPlan(cohort=cohort, nc_year=nc_year, values=values)
        child.actor = "head" if rng.random() < 0.25 else "data"
        child.in_area = rng.random() < (0.9 if uasc or cohort != "cla" else 0.7)
        if cohort == "ola":
            child.in_area = True
        if cohort == "cla":
            self._care_entry(child)
        elif cohort == "plac":
            self._previously_looked_after(child)
        else:
            self._other_authority(child)
        return child

    def _send(self, values: dict[str, Any], nc_year: int) -> None:
        roll = self.rng.random()
        if nc_year < 0:
            roll = max(roll, 0.6)
        if roll < 0.25:
            values["sen_status"] = "E"
            values["sen_primary_need"] = self._weighted(cat.EHCP_NEEDS)
            values["ehcp_review_date"] = self.today + dt.timedelta(days=self.rng.randint(10, 360))
        elif roll < 0.55:
            values["sen_status"] = "K"
            values["sen_primary_need"] = self._weighted(cat.SEN_SUPPORT_NEEDS)
        else:
            values["sen_status"] = "N"

    def _care_entry(self, child: ChildPlan) -> None:
        rng = self.rng
        dob = child.dob
        uasc = child.values["uasc"]
        status = "V2" if uasc and rng.random() < 0.85 else self._weighted(cat.LEGAL_STATUS_WEIGHTS)
        if uasc and status != "V2":
            status = "C2"
        age = (self.today - dob).days // 365
        if status == "E1" and age >= 9:
            status = "C2"
        if status == "J1" and age < 12:
            status = "V2"
        recent = status in ("C1", "J1") or rng.random() < 0.3
        earliest = dob + dt.timedelta(days=14)
        if uasc:
            earliest = max(earliest, birthday(dob, 13), self.today - dt.timedelta(days=900))
        # Entered care at least a fortnight ago, and before turning 18 (then they leave care).
        latest = min(self.today - dt.timedelta(days=14), birthday(dob, 18) - dt.timedelta(days=60))
        earliest = min(earliest, latest)
        if recent:
            entry = self._date_between(max(earliest, self.history_start), latest)
        else:
            entry = self._date_between(max(earliest, self.today - dt.timedelta(days=365 * 12)), self.history_start)
        child.entered_care = min(entry, latest)
        child.legal_status = status
        child.values["category_of_need"] = "N8" if uasc else self._weighted(cat.CATEGORY_OF_NEED_WEIGHTS)

    def _previously_looked_after(self, child: ChildPlan) -> None:
        order = self._weighted({"adoption": 60, "sgo": 30, "cao": 10})
        first, _ = self._person()
        holder = {"adoption": "adoptive parent", "sgo": "special guardian", "cao": "holds a child arrangements order"}
        child.values.update(
            permanence_order=order,
            parental_responsibility_holder=f"{first} {child.values['last_name']} ({holder[order]})",
            consent_given_on=self._date_between(self.today - dt.timedelta(days=700), self.today - dt.timedelta(days=3)),
            carer_name=f"{first} {child.values['last_name']}",
            carer_relationship=holder[order].capitalize(),
            carer_phone=self._phone(),
            carer_address=self._address(),
        )

    def _other_authority(self, child: ChildPlan) -> None:
        _, authority = self.rng.choice(cat.NEIGHBOURS)
        slug = authority.split()[0].lower()
        first, last = self._person()
        child.values.update(
            home_authority_name=authority,
            home_virtual_school_contact=f"{first} {last}, Virtual School Head",
            home_virtual_school_email=f"virtual.school@{slug}.example.gov.uk",
            home_virtual_school_phone=self._phone(False),
            added_to_roll_on=self._date_between(self.history_start, self.today - dt.timedelta(days=7)),
        )

    # ---------------------------------------------------------------- who is in which state

    def _choose_states(self, children: list[ChildPlan]) -> None:
        rng = self.rng
        cla = [c for c in children if c.cohort == "cla"]
        # Young people who turned 18 this academic year have left care.
        for child in cla:
            eighteenth = birthday(child.dob, 18)
            if self.year_start <= eighteenth <= self.today:
                child.closure = {"closed_on": eighteenth, "reason": "aged_out"}
        # A few children left care for other reasons this academic year.
        window_end = max(self.year_start, self.today - dt.timedelta(days=5))
        candidates = [c for c in cla if c.is_open and c.nc_year <= 11 and c.entered_care and not c.values["uasc"]]
        reasons = ["returned_home", "sgo", "returned_home", "adopted", "cao", "returned_home"]
        for child, reason in zip(
            rng.sample(candidates, min(self.mix["other_closures"], len(candidates))), reasons, strict=False
        ):
            assert child.entered_care is not None
            closed_on = self._date_between(max(self.year_start, child.entered_care + dt.timedelta(days=30)), window_end)
            if reason == "adopted":
                child.legal_status = "E1"
            child.closure = {"closed_on": min(closed_on, self.today), "reason": reason}

        def pick(state: str, pool: list[ChildPlan], count: int) -> None:
            free = [c for c in pool if not c.states]
            for child in rng.sample(free, min(count, len(free))):
                child.states.add(state)

        open_school_age = [c for c in cla if c.is_open and c.school_age and not c.values["uasc"]]
        # Children who started reception or Year 7 this September have no earlier placement to leave.
        settled = [c for c in open_school_age if c.nc_year not in (0, 7)]
        pick("missing_education", settled, self.mix["missing_education"])
        pick("no_urn", [c for c in settled if c.nc_year >= 5], self.mix["no_urn_settings"])
        pick("part_time", open_school_age, self.mix["part_time"])
        recent = [
            c
            for c in cla
            if c.is_open and c.entered_care and self.history_start <= c.entered_care <= self.today - dt.timedelta(20)
        ]
        pick("late_roll", recent, self.mix["late_roll_entries"])
        with_upn = [c for c in children if c.nc_year >= 1]
        pick("invalid_upn", with_upn, self.mix["invalid_upns"])
        pick("unknown_upn", [c for c in children if c.nc_year == -1], self.mix["unknown_upns"])
        movers = settled
        pick("moved", movers, max(2, round(len(movers) * 0.12)))
        directed = [c for c in movers if "moved" in c.states]
        for child in directed[: self.mix["directions"]]:
            child.states.add("direction")
        post16 = [c for c in cla if c.nc_year >= 12 and c.is_open]
        pick("neet", post16, max(1, round(len(post16) * 0.15)))
        for child in children:
            child.values["upn"] = self._upn(child)
            if "neet" in child.states:
                child.values["neet"] = True

    def _upn(self, child: ChildPlan) -> str:
        if "unknown_upn" in child.states:
            return "UN1"
        if child.nc_year < 0:
            return ""
        while True:
            la = self.rng.choice(cat.UPN_LA_NUMBERS)
            issued = (self.year - child.nc_year) % 100
            body = f"{la:03d}{self.rng.randint(2000, 7999):04d}{issued:02d}{self.rng.randint(1, 999):03d}"
            upn = stdnum_upn.calc_check_digit(body) + body
            if upn not in self._upns:
                self._upns.add(upn)
                break
        if "invalid_upn" in child.states:
            # A typing slip: the check letter no longer matches (the child stays on the roll, flagged).
            wrong = next(letter for letter in "ABCDEFGH" if letter != upn[0])
            return wrong + upn[1:]
        return upn

    # ---------------------------------------------------------------- care history

    def _episodes(self, child: ChildPlan) -> None:
        rng = self.rng
        entry = child.entered_care
        assert entry is not None
        final = child.legal_status
        end = child.closure["closed_on"] if child.closure else None
        post16_from = birthday(child.dob, 16)

        def placement(on: dt.date) -> tuple[str, str]:
            options = [(code, w) for code, w, _, post16 in cat.CARE_PLACEMENTS if not post16 or on >= post16_from]
            if child.values["uasc"] and on >= post16_from:
                options.append(("H5", 30))
            code = rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]
            return code, self.fake.postcode()

        first_status = final
        if final in ("C2", "E1") and entry >= self.history_start and rng.random() < 0.7:
            first_status = "C1"
        if final == "E1" and first_status != "C1":
            first_status = "C2"
        changes: list[tuple[dt.date, str, str]] = []  # (date, RNE, legal status)
        if first_status != final:
            change_on = entry + dt.timedelta(days=rng.randint(90, 240))
            if change_on < self.today - dt.timedelta(days=3):
                changes.append((change_on, "L", final))
            else:
                final = first_status
        moves = self._weighted({0: 60, 1: 30, 2: 10})
        for _ in range(moves):
            on = self._date_between(max(entry, self.history_start) + dt.timedelta(days=7), self.today - dt.timedelta(7))
            if on > entry and all(abs((on - d).days) > 7 for d, _, _ in changes):
                changes.append((on, "P", ""))
        changes.sort()
        if end is not None:
            changes = [c for c in changes if c[0] < end]
        home_postcode = self.fake.postcode()
        status = first_status
        starts: list[tuple[dt.date, str, str]] = [(entry, "S", status)]
        for on, rne, new_status in changes:
            status = new_status or status
            starts.append((on, rne, status))
        place_code, place_postcode = placement(entry)
        provider = rng.choice(cat.PROVIDERS)
        for index, (on, rne, legal) in enumerate(starts):
            if rne in ("S", "P"):
                place_code, place_postcode = placement(on)
                provider = rng.choice(cat.PROVIDERS)
            following = starts[index + 1][0] if index + 1 < len(starts) else end
            episode = {
                "start_date": on,
                "end_date": following,
                "reason_new_episode": rne,
                "legal_status": legal,
                "category_of_need": child.values["category_of_need"],
                "placement_type": place_code,
                "placement_provider": provider,
                "reason_ended": "",
                "reason_place_change": "",
                "home_postcode": home_postcode,
                "placement_postcode": place_postcode,
                "placement_urn": f"SC{rng.randint(400000, 499999)}" if place_code == "K2" else "",
            }
            if index + 1 < len(starts):
                next_rne = starts[index + 1][1]
                episode["reason_ended"] = "X1"
                if next_rne == "P":
                    episode["reason_place_change"] = rng.choice(cat.PLACEMENT_CHANGE_REASONS)
            elif end is not None and child.closure:
                episode["reason_ended"] = cat.CLOSURE_EPISODE_ENDS.get(child.closure["reason"], "E8")
            child.episodes.append(episode)
        child.legal_status = child.episodes[-1]["legal_status"]
        child.values.pop("category_of_need", None)

    def _roll_duty(self, child: ChildPlan) -> None:
        """When social care told the Virtual School, and when the child was added (a few late)."""
        entry = child.entered_care
        assert entry is not None
        received = entry + dt.timedelta(days=self.rng.choice([0, 0, 0, 1]))
        delay = self.rng.randint(4, 9) if "late_roll" in child.states else self.rng.choice([0, 1, 1, 2, 2, 3])
        added = add_working_days(received, delay)
        if added > self.today:
            received = entry
            added = min(add_working_days(received, min(delay, 3)), self.today)
        child.values["care_status_received_on"] = received
        child.values["added_to_roll_on"] = added
        if child.closure:
            notified = min(child.closure["closed_on"] + dt.timedelta(days=self.rng.choice([0, 1, 2])), self.today)
            removed = min(add_working_days(notified, self.rng.choice([0, 1, 2, 3])), self.today)
            child.closure.update(notified_on=notified, removed_on=removed)

    def _carer(self, child: ChildPlan) -> None:
        code = child.episodes[-1]["placement_type"] if child.episodes else "U4"
        relationship = next(r for c, _, r, _ in cat.CARE_PLACEMENTS if c == code)
        first, last = self._person()
        values = child.values
        if code == "K2":
            values["carer_name"] = f"{first} {last} (registered manager, {self.rng.choice(cat.CHILDREN_HOMES)})"
        elif code == "H5":
            values["carer_name"] = f"{first} {last} (key worker, {self.rng.choice(cat.SUPPORTED_ACCOMMODATION)})"
        elif code == "P1":
            values["carer_name"] = f"{first} {values['last_name']}"
        else:
            partner, _ = self._person()
            values["carer_name"] = f"{first} and {partner} {last}"
        values["carer_relationship"] = relationship
        values["carer_phone"] = self._phone()
        values["carer_email"] = f"{first}.{last}@example.com".lower().replace(" ", "").replace("'", "")
        values["carer_address"] = self._address()
        if code.startswith("U"):
            ssw_first, ssw_last = self._person()
            values["supervising_social_worker_name"] = f"{ssw_first} {ssw_last}"
            values["supervising_social_worker_phone"] = self._phone(False)
            email = f"{ssw_first}.{ssw_last}@fostering.example.org".lower().replace(" ", "").replace("'", "")
            values["supervising_social_worker_email"] = email

    # ---------------------------------------------------------------- education

    def _pick_school(self, kinds: tuple[str, ...], in_area: bool, exclude: int | None = None) -> SchoolPlan:
        pool = [s for kind in kinds for s in self._schools_by_kind.get((kind, in_area), []) if s.urn != exclude]
        if not pool:
            pool = [s for kind in kinds for area in (True, False) for s in self._schools_by_kind.get((kind, area), [])]
            pool = [s for s in pool if s.urn != exclude] or pool
        weights = [{"inadequate": 0.1, "requires_improvement": 0.5}.get(s.rating, 1.0) for s in pool]
        return self.rng.choices(pool, weights=weights)[0]

    def _school_kinds(self, child: ChildPlan, nc_year: int) -> tuple[str, ...]:
        special = child.values["sen_status"] == "E" and self.rng.random() < 0.4
        if special and nc_year >= 0:
            return ("special",)
        return KINDS_FOR_PRIMARY if nc_year <= 6 else KINDS_FOR_SECONDARY

    def _full_time_hours(self, school: SchoolPlan | None) -> Decimal:
        if school is not None and school.kind == "special":
            return Decimal("30.0")
        return Decimal(self.rng.choice(["32.5", "32.5", "33.0", "31.5"]))

    def _school_placement(self, school: SchoolPlan, start: dt.date, **extra: Any) -> PlacementPlan:
        setting = {"nursery": "early_years", "sixteen_plus": "college"}.get(school.kind, "school")
        # Children start school on a school day.
        start = self._working_day(extra.pop("start_date", start))
        values: dict[str, Any] = {
            "setting_type": setting,
            "start_date": start,
            "hours_per_week": self._full_time_hours(school),
        }
        values.update(extra)
        return PlacementPlan(values=values, school_urn=school.urn)

    def _phase_start(self, child: ChildPlan) -> dt.date:
        """When the child began at their current phase: reception, Year 7 or Year 12."""
        nc = child.nc_year
        began = nc - 12 if nc >= 12 else nc - 7 if nc >= 7 else nc
        start = term_start(self.year - began)
        if child.entered_care and child.entered_care > start and self.rng.random() < 0.4:
            # Many care moves bring a school move with them.
            start = min(child.entered_care + dt.timedelta(days=self.rng.randint(3, 15)), self.today)
        return start

    def _placements(self, child: ChildPlan) -> None:
        rng = self.rng
        nc = child.nc_year
        if nc < 0:
            if "unknown_upn" not in child.states and rng.random() < 0.65:
                school = self._pick_school(("nursery",), child.in_area)
                start = self._date_between(self.history_start, self.today - dt.timedelta(days=20))
                child.placements.append(
                    self._school_placement(school, start, hours_per_week=Decimal(rng.choice(["15.0", "30.0"])))
                )
            return
        if nc >= 12:
            self._post16_placements(child)
            return
        kinds = self._school_kinds(child, nc)
        school = self._pick_school(kinds, child.in_area)
        if nc in (0, 7):
            # Started reception or secondary school this September, after an application.
            if nc == 7:
                previous = self._pick_school(KINDS_FOR_PRIMARY, child.in_area)
                child.placements.append(
                    self._school_placement(
                        previous,
                        term_start(self.year - 7),
                        end_date=summer_end(self.year),
                        reason_for_change="phase_transfer",
                    )
                )
            applied = dt.date(self.year - 1, 10, 31) if nc == 7 else dt.date(self.year, 1, 15)
            child.placements.append(
                self._school_placement(
                    school,
                    self.this_term,
                    application_date=applied,
                    on_roll_date=self.this_term,
                    admission_route="normal",
                )
            )
        else:
            start = self._phase_start(child)
            if "missing_education" in child.states:
                self._missing_education(child, school, start)
                return
            child.placements.append(self._school_placement(school, start))
            if "moved" in child.states or "no_urn" in child.states:
                self._in_year_move(child, school)
        if "part_time" in child.states:
            current = child.placements[-1]
            current.values["hours_per_week"] = Decimal(rng.choice(["10.0", "12.5", "15.0", "20.0"]))
            current.values["reason_detail"] = cat.REDUCED_TIMETABLE_DETAIL

    def _missing_education(self, child: ChildPlan, school: SchoolPlan, start: dt.date) -> None:
        """Left school some weeks ago with nothing in place since (each such child a different number of days)."""
        self._missing_count += 1
        gap = [12, 26, 45, 67, 90][(self._missing_count - 1) % 5]
        ended = self._working_day(self.today - dt.timedelta(days=gap), backward=True)
        start = min(start, ended - dt.timedelta(days=60))
        reason, detail = self.rng.choice(
            [
                ("care_move", "Left when the care placement moved out of reach; a new school place is being sought."),
                ("perm_exclusion", "Permanently excluded; the Virtual School is arranging a new place."),
            ]
        )
        child.placements.append(
            self._school_placement(school, start, end_date=ended, reason_for_change=reason, reason_detail=detail)
        )

    def _in_year_move(self, child: ChildPlan, previous: SchoolPlan) -> None:
        rng = self.rng
        before = child.placements[-1]
        earliest = max(self.history_start, before.values["start_date"] + dt.timedelta(days=30))
        if earliest > self.today - dt.timedelta(days=10):
            # Too new at this school to have moved again this year.
            child.states.discard("moved")
            child.states.discard("direction")
            if "no_urn" not in child.states:
                return
            earliest = min(earliest, self.today - dt.timedelta(days=2))
            before.values["start_date"] = min(before.values["start_date"], earliest - dt.timedelta(days=30))
        moved_on = self._date_between(earliest, self.today - dt.timedelta(days=10))
        moved_on = self._working_day(moved_on)
        if moved_on <= before.values["start_date"]:
            moved_on = before.values["start_date"] + dt.timedelta(days=1)
        if "no_urn" in child.states:
            setting = rng.choice(["ap", "ap", "tuition"])
            hours = Decimal(rng.choice(["25.0", "15.0", "20.0"] if setting == "ap" else ["10.0", "12.0"]))
            child.placements.append(
                PlacementPlan(
                    values={
                        "setting_type": setting,
                        "provider_name": rng.choice(cat.PROVIDERS_WITHOUT_URN[setting]),
                        "start_date": moved_on,
                        "hours_per_week": hours,
                        "reason_for_change": "perm_exclusion",
                        "reason_detail": "Permanently excluded; commissioned provision while a school place is found.",
                    }
                )
            )
            return
        reason = self._weighted(cat.IN_YEAR_MOVE_REASONS)
        kinds = ("special",) if reason == "ehcp" else self._school_kinds(child, child.nc_year)
        if reason == "perm_exclusion":
            kinds = ("ap",)
        school = self._pick_school(kinds, child.in_area, exclude=previous.urn)
        route = self._weighted({"normal": 80, "fair_access": 20})
        days = rng.randint(4, 25)
        if "direction" in child.states:
            route = "esfa_direction" if school.values["type_name"].startswith("Academy") else "la_direction"
            days = rng.randint(28, 50)
        child.placements.append(
            self._school_placement(
                school,
                moved_on,
                reason_for_change=reason,
                application_date=moved_on - dt.timedelta(days=days),
                on_roll_date=moved_on,
                admission_route=route,
            )
        )

    def _post16_placements(self, child: ChildPlan) -> None:
        rng = self.rng
        secondary = self._pick_school(self._school_kinds(child, 11), child.in_area)
        if child.nc_year == 12 and not child.values["uasc"]:
            child.placements.append(
                self._school_placement(
                    secondary,
                    term_start(self.year - 5),
                    end_date=summer_end(self.year),
                    reason_for_change="phase_transfer",
                )
            )
        start = self.this_term if child.nc_year == 12 else term_start(self.year - 1)
        if child.values["uasc"] and child.entered_care:
            start = max(start, child.entered_care + dt.timedelta(days=rng.randint(20, 60)))
            start = min(start, self.today)
        if "neet" in child.states:
            if child.nc_year == 13:
                college = self._pick_school(("sixteen_plus",), child.in_area)
                child.placements.append(
                    self._school_placement(
                        college,
                        start,
                        hours_per_week=Decimal("16.0"),
                        end_date=self._working_day(
                            self._date_between(
                                max(self.history_start, start + dt.timedelta(days=30)),
                                self.today - dt.timedelta(days=20),
                            ),
                            backward=True,
                        ),
                        reason_for_change="choice",
                        reason_detail="Stopped attending college; the personal adviser is working on a traineeship.",
                    )
                )
            return
        route = self._weighted({"college": 45, "sixth_form": 25, "training": 15})
        if route == "training" and not child.values["uasc"]:
            child.placements.append(
                PlacementPlan(
                    values={
                        "setting_type": "training",
                        "provider_name": rng.choice(cat.PROVIDERS_WITHOUT_URN["training"]),
                        "start_date": start,
                        "hours_per_week": Decimal("30.0"),
                    }
                )
            )
        elif route == "sixth_form" and not child.values["uasc"]:
            child.placements.append(self._school_placement(secondary, start, hours_per_week=Decimal("25.0")))
        else:
            college = self._pick_school(("sixteen_plus",), child.in_area)
            hours = Decimal(rng.choice(["16.0", "17.5", "18.0", "20.0", "22.0"]))
            child.placements.append(self._school_placement(college, start, hours_per_week=hours))
        if child.nc_year == 12 and not child.values["uasc"]:
            child.placements[-1].values.update(
                application_date=dt.date(self.year, 2, 1), on_roll_date=start, admission_route="normal"
            )

    def _allocate(self, child: ChildPlan) -> None:
        nc = child.nc_year
        if nc >= 12:
            lead = "lead5"
        elif not child.in_area and nc >= 0:
            lead = "lead6"
        elif nc <= 2:
            lead = "lead1"
        elif nc <= 6:
            lead = "lead2"
        elif nc <= 9:
            lead = "lead3"
        else:
            lead = "lead4"
        child.lead = lead
        if child.cohort != "cla":
            return
        if child.values["uasc"]:
            child.social_worker = self.rng.choice(["sw11", "sw12"])
        elif nc == 13:
            child.social_worker = self.rng.choice(["sw9", "sw10"])
        else:
            child.social_worker = f"sw{self.rng.randint(1, 8)}"
        child.reviewing_officer = f"iro{self.rng.randint(1, 4)}"

    def _fill_schools(self, children: list[ChildPlan]) -> None:
        """Inadequate schools and the shared designated teacher's schools each have a pupil to show."""
        wanted = [s for s in self._school_by_urn.values() if s.rating == "inadequate"]
        wanted += [s for s in self._school_by_urn.values() if s.designated_teacher == "dt1"]
        protected = {s.urn for s in wanted}
        for school in wanted:
            if any(c.is_open and c.placements and c.placements[-1].school_urn == school.urn for c in children):
                continue
            for child in children:
                last = child.placements[-1] if child.placements else None
                if (
                    child.is_open
                    and child.school_age
                    and last is not None
                    and last.values.get("end_date") is None
                    and last.school_urn is not None
                    and last.school_urn not in protected
                    and len(child.placements) == 1
                    and self._school_by_urn[last.school_urn].kind == school.kind
                ):
                    last.school_urn = school.urn
                    break

    def _school_details(self, children: list[ChildPlan]) -> None:
        """The designated teacher on each placement, and the reasons a school below good was chosen."""
        for child in children:
            for placement in child.placements:
                if placement.school_urn is None:
                    continue
                school = self._school_by_urn[placement.school_urn]
                rating = school.rating
                if rating in ("requires_improvement", "inadequate"):
                    placement.values["rationale_below_good"] = self.rng.choice(cat.RATIONALES_BELOW_GOOD)
                if rating == "inadequate":
                    placement.values["exceptional_reason_inadequate"] = self.rng.choice(
                        cat.EXCEPTIONAL_REASONS_INADEQUATE
                    )


_STREETS = ["Road", "Close", "Avenue", "Lane", "Way", "Crescent", "Gardens", "Street", "Drive", "Place"]


def plan_demo(*, seed: int = cat.DEFAULT_SEED, size: str = "full", today: dt.date) -> DemoPlan:
    """The whole demo as plain data: the same seed, size and date give the same plan."""
    return Planner(seed=seed, size=size, today=today).plan()
