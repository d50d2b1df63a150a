"""Fixed word lists and proportions the synthetic demo draws from. Nothing here describes a real person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.easter import easter

AUTHORITY_NAME = "Exemplar County Council"
HOME_LA_CODE = "999"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - a published demonstration password, never for production
DEFAULT_SEED = 2026

# URNs of demo schools sit in a range no real establishment uses, so the demo can be recognised.
DEMO_URN_FIRST = 990001
DEMO_URN_LAST = 999999
EMAIL_DOMAIN = "demo.example.gov.uk"

# Neighbouring authorities for out-of-area schools: fictional names and LA codes no English authority has.
NEIGHBOURS = [
    ("998", "Northmoor Borough Council"),
    ("997", "Westdale County Council"),
    ("996", "Southwick City Council"),
    ("995", "Eastmere Council"),
]

# LA numbers that issue UPNs must be real ones (the check-letter test knows them), so synthetic UPNs use these.
UPN_LA_NUMBERS = [835, 836, 837, 865, 878, 916, 933, 908]

PLACE_PREFIXES = [
    "Alder",
    "Ash",
    "Beck",
    "Birch",
    "Bram",
    "Brook",
    "Cherry",
    "Clay",
    "Coln",
    "Crane",
    "Elm",
    "Fern",
    "Fox",
    "Hazel",
    "Heath",
    "Holly",
    "Kestrel",
    "Lark",
    "Lime",
    "Marsh",
    "Mill",
    "Moor",
    "Oak",
    "Otter",
    "Pine",
    "Rowan",
    "Rush",
    "Sedge",
    "Stone",
    "Thorn",
    "Wren",
    "Yew",
]
PLACE_SUFFIXES = ["bury", "combe", "field", "ford", "ham", "hurst", "leigh", "minster", "stead", "ton", "well", "wick"]
SAINTS = ["Aidan", "Anne", "Bede", "Cuthbert", "Edmund", "Francis", "Hilda", "Joseph", "Luke", "Margaret", "Nicholas"]

# kind: GIAS phase, name patterns each with the types of establishment that fit it, first establishment number.
SCHOOL_KINDS: dict[str, dict] = {
    "nursery": {
        "phase": "Nursery",
        "names": [
            ("{place} Nursery School", ["Local authority nursery school"]),
            ("{place} Early Years Centre", ["Local authority nursery school"]),
        ],
        "number_from": 1000,
    },
    "primary": {
        "phase": "Primary",
        "names": [
            ("{place} Primary School", ["Community school", "Foundation school", "Academy converter"]),
            ("{place} Community Primary School", ["Community school"]),
            ("{place} Church of England Primary School", ["Voluntary controlled school", "Voluntary aided school"]),
            ("{place} Primary Academy", ["Academy converter", "Academy sponsor led"]),
            ("St {saint}'s Catholic Primary School", ["Voluntary aided school", "Academy converter"]),
        ],
        "number_from": 2000,
    },
    "secondary": {
        "phase": "Secondary",
        "names": [
            ("{place} Academy", ["Academy converter", "Academy sponsor led", "Free schools"]),
            ("{place} School", ["Community school", "Foundation school", "Academy converter"]),
            ("{place} Community College", ["Community school", "Academy converter"]),
            ("{place} High School", ["Academy converter", "Community school"]),
        ],
        "number_from": 4000,
    },
    "special": {
        "phase": "Not applicable",
        "names": [
            ("{place} Park School", ["Community special school", "Academy special converter"]),
            ("{place} House School", ["Foundation special school", "Community special school"]),
            ("{place} Brook School", ["Academy special converter"]),
        ],
        "number_from": 7000,
    },
    "all_through": {
        "phase": "All-through",
        "names": [
            ("{place} All-Through Academy", ["Academy converter", "Free schools"]),
            ("{place} Learning Community", ["Community school"]),
        ],
        "number_from": 6900,
    },
    "sixteen_plus": {
        "phase": "16 plus",
        "names": [
            ("{place} College", ["Further education"]),
            ("{place} Sixth Form College", ["Sixth form centres", "Free schools 16 to 19"]),
        ],
        "number_from": 8000,
    },
    "ap": {
        "phase": "Not applicable",
        "names": [
            ("{place} Learning Centre", ["Pupil referral unit", "Academy alternative provision converter"]),
            ("{place} Pupil Referral Unit", ["Pupil referral unit"]),
        ],
        "number_from": 1100,
    },
}

# How many schools of each kind, in the home area and beyond it.
SCHOOL_MIX = {
    "full": {
        "in": {
            "nursery": 3,
            "primary": 31,
            "secondary": 13,
            "special": 5,
            "all_through": 2,
            "sixteen_plus": 3,
            "ap": 3,
        },
        "out": {
            "nursery": 1,
            "primary": 11,
            "secondary": 10,
            "special": 4,
            "all_through": 1,
            "sixteen_plus": 2,
            "ap": 1,
        },
    },
    "small": {
        "in": {"nursery": 1, "primary": 3, "secondary": 2, "special": 1, "sixteen_plus": 1, "ap": 1},
        "out": {"primary": 1, "secondary": 2, "special": 1},
    },
}

# Children in each cohort, and how many of each state the pages must be able to show.
CHILD_MIX = {
    "full": {
        "looked_after": 320,
        "previously_looked_after": 20,
        "other_authority": 10,
        "missing_education": 3,
        "part_time": 6,
        "no_urn_settings": 4,
        "late_roll_entries": 5,
        "invalid_upns": 4,
        "unknown_upns": 2,
        "other_closures": 5,
        "directions": 2,
    },
    "small": {
        "looked_after": 24,
        "previously_looked_after": 3,
        "other_authority": 2,
        "missing_education": 1,
        "part_time": 2,
        "no_urn_settings": 1,
        "late_roll_entries": 2,
        "invalid_upns": 1,
        "unknown_upns": 1,
        "other_closures": 1,
        "directions": 1,
    },
}

# National curriculum year (-1 nursery … 13) weights: most looked-after children are of secondary age.
NC_YEAR_WEIGHTS = {
    -1: 3,
    0: 4,
    1: 4,
    2: 4,
    3: 5,
    4: 5,
    5: 5,
    6: 6,
    7: 7,
    8: 7,
    9: 8,
    10: 9,
    11: 9,
    12: 10,
    13: 9,
}

LEGAL_STATUS_WEIGHTS = {"C2": 62, "C1": 13, "V2": 17, "E1": 6, "J1": 2}

SEN_SUPPORT_NEEDS = {"SEMH": 45, "SLCN": 14, "MLD": 14, "SPLD": 10, "ASD": 8, "OTH": 5, "NSA": 4}
EHCP_NEEDS = {"SEMH": 34, "ASD": 26, "MLD": 10, "SLCN": 10, "SLD": 6, "SPLD": 4, "PD": 3, "HI": 2, "VI": 2, "OTH": 3}

ETHNICITY_WEIGHTS = {
    "WBRI": 70,
    "WOTH": 4,
    "WIRI": 1,
    "WIRT": 1,
    "WROM": 1,
    "MWBC": 4,
    "MWBA": 2,
    "MWAS": 2,
    "MOTH": 4,
    "AIND": 1,
    "APKN": 1,
    "ABAN": 1,
    "AOTH": 1,
    "BCRB": 2,
    "BAFR": 3,
    "BOTH": 1,
    "CHNE": 1,
    "OOTH": 2,
    "NOBT": 1,
    "REFU": 1,
}
UASC_ETHNICITY_WEIGHTS = {"AOTH": 35, "BAFR": 35, "OOTH": 25, "BOTH": 5}

# Given names and family names for unaccompanied children (invented combinations).
UASC_FIRST_NAMES = [
    "Ahmad",
    "Ali",
    "Samir",
    "Yonas",
    "Dawit",
    "Bereket",
    "Hassan",
    "Omar",
    "Abdul",
    "Mehdi",
    "Karim",
    "Filmon",
    "Amanuel",
    "Reza",
    "Yusuf",
    "Idris",
]
UASC_LAST_NAMES = [
    "Ahmadi",
    "Karimi",
    "Rahimi",
    "Haile",
    "Tesfay",
    "Yosief",
    "Abdi",
    "Hussaini",
    "Nuri",
    "Osman",
    "Sadiqi",
    "Tekle",
    "Wolde",
    "Zaman",
]

SHORT_NAMES = {
    "Alexander": "Alex",
    "Benjamin": "Ben",
    "Charlotte": "Charlie",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Elizabeth": "Lizzie",
    "Jacob": "Jake",
    "Jessica": "Jess",
    "Joshua": "Josh",
    "Katherine": "Kate",
    "Matthew": "Matt",
    "Nathan": "Nate",
    "Nicholas": "Nick",
    "Rebecca": "Becky",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "Victoria": "Tori",
    "William": "Will",
    "Olivia": "Liv",
    "Isabella": "Bella",
}

# SSDA903 placement types with a weight, the carer relationship they imply, and whether post-16 only.
CARE_PLACEMENTS = [
    ("U1", 5, "Kinship carer (friends or family)", False),
    ("U3", 6, "Kinship carer (friends or family)", False),
    ("U4", 22, "Foster carer", False),
    ("U5", 8, "Foster carer", False),
    ("U6", 32, "Foster carer (independent fostering agency)", False),
    ("K2", 11, "Children's home", False),
    ("P1", 4, "Placed with parent", False),
    ("H5", 12, "Supported accommodation", True),
]
CATEGORY_OF_NEED_WEIGHTS = {"N1": 64, "N4": 14, "N5": 8, "N2": 4, "N3": 2, "N6": 2, "N7": 2, "N8": 4}
PLACEMENT_CHANGE_REASONS = ["CARPL", "CLOSE", "CREQB", "CREQO", "CHILD", "LAREQ", "STAND", "OTHER"]
PROVIDERS = ["PR1", "PR1", "PR2", "PR4", "PR4", "PR5"]

# How each closure reason ends the care episode (SSDA903 reason episode ceased).
CLOSURE_EPISODE_ENDS = {
    "returned_home": "E13",
    "adopted": "E11",
    "sgo": "E43",
    "cao": "E41",
    "aged_out": "E8",
}

CHILDREN_HOMES = ["Beech House", "Hollybank", "The Orchard", "Meadow View", "Riverside Lodge"]
SUPPORTED_ACCOMMODATION = ["Compass Supported Living", "Harbour Point", "Bridges Semi-Independent"]

PROVIDERS_WITHOUT_URN = {
    "ap": ["Horizons Learning Hub", "Pathways Alternative Education", "Greenshoots Farm School"],
    "tuition": ["Bright Futures Tuition", "Fresh Start Online Tuition"],
    "training": ["County Training Partnership", "Exemplar Apprenticeships", "Skills4Work Traineeships"],
}

IN_YEAR_MOVE_REASONS = {
    "care_move": 55,
    "managed_move": 15,
    "perm_exclusion": 10,
    "needs_not_met": 8,
    "ehcp": 7,
    "choice": 5,
}

RATIONALES_BELOW_GOOD = [
    "Nearest school with a place to the carer's home; the designated teacher has a strong record with "
    "children in care and the Virtual School will review progress at each PEP.",
    "The child asked to stay with friends after the care move; the school's recent monitoring visit found "
    "leadership taking effective action. Reviewed at the next PEP.",
    "Specialist SEMH support on site that the EHCP requires; no good or outstanding school in reach offered it.",
]
EXCEPTIONAL_REASONS_INADEQUATE = [
    "The child is in Year 11 with examinations in the summer and a stable care placement; moving school now "
    "would put both at risk. Agreed by the Virtual School Head with weekly monitoring.",
    "The EHCP names this school, the only one within travelling distance meeting the child's needs; the "
    "Virtual School Head agreed the exception with termly reviews until a move is possible.",
]
REDUCED_TIMETABLE_DETAIL = (
    "Reduced timetable agreed at a multi-agency meeting and recorded in the PEP; reviewed fortnightly, "
    "building back to full time."
)

STAFF_TEAMS = [
    ("Children in Care team North", 4),
    ("Children in Care team South", 4),
    ("Leaving Care team (personal advisers)", 2),
    ("Unaccompanied Children team", 2),
]


def term_dates(year: int) -> list[dict[str, Any]]:
    """Plausible (invented) term dates for the demo authority's academic year starting in `year`.

    Autumn from the first Wednesday in September to the Friday before 21 December, half term the week of the
    last Monday in October; spring from the first Monday after New Year's week to the Thursday before Good
    Friday, half term the third week of February; summer from the Monday a week after Easter Monday to the last
    weekday on or before 22 July, half term the week of the late-May bank holiday.
    """

    def weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
        return day + dt.timedelta(days=(weekday - day.weekday()) % 7)

    def weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
        return day - dt.timedelta(days=(day.weekday() - weekday) % 7)

    def week_from(monday: dt.date) -> tuple[dt.date, dt.date]:
        return monday, monday + dt.timedelta(days=4)

    easter_sunday = easter(year + 1)
    autumn_half = week_from(weekday_on_or_before(dt.date(year, 10, 31), 0))
    spring_half = week_from(weekday_on_or_after(dt.date(year + 1, 2, 15), 0))
    summer_half = week_from(weekday_on_or_before(dt.date(year + 1, 5, 31), 0))
    summer_end = dt.date(year + 1, 7, 22)
    while summer_end.weekday() >= 5:
        summer_end -= dt.timedelta(days=1)
    return [
        {
            "term": "autumn",
            "start_date": weekday_on_or_after(dt.date(year, 9, 1), 2),
            "end_date": weekday_on_or_before(dt.date(year, 12, 20), 4),
            "half_term_start": autumn_half[0],
            "half_term_end": autumn_half[1],
        },
        {
            "term": "spring",
            "start_date": weekday_on_or_after(dt.date(year + 1, 1, 3), 0),
            "end_date": easter_sunday - dt.timedelta(days=3),
            "half_term_start": spring_half[0],
            "half_term_end": spring_half[1],
        },
        {
            "term": "summer",
            "start_date": easter_sunday + dt.timedelta(days=8),
            "end_date": summer_end,
            "half_term_start": summer_half[0],
            "half_term_end": summer_half[1],
        },
    ]
