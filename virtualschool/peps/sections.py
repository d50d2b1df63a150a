"""What each author's section asks, the parts of a PEP people are allowed to edit, and the attainment scales.

Pure data and small functions (no database), shared by services, forms, the document and the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import KeyStage, SectionKind


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    hint: str = ""
    from_year: int | None = None  # asked only from this national curriculum year


SECTION_QUESTIONS: dict[str, tuple[Question, ...]] = {
    SectionKind.DESIGNATED_TEACHER: (
        Question("strengths", "Strengths and interests", "What the child is good at and enjoys in school"),
        Question("engagement_behaviour", "Engagement and behaviour", "How they take part in lessons and school life"),
        Question(
            "wellbeing_relationships",
            "Wellbeing and relationships",
            "Friendships, trusted adults, and how they are feeling in school",
        ),
        Question("send", "Special educational needs", "Support in place, and progress against the EHCP outcomes"),
        Question("careers", "Careers guidance", "Guidance given and the child's plans", from_year=9),
        Question("post16", "Post-16 plans", "Courses, applications and support for the move", from_year=11),
        Question("transition", "Transition plans", "Moves between classes, phases or schools and how they are eased"),
    ),
    SectionKind.SOCIAL_WORKER: (
        Question("care_context", "Care plan and home", "What in the care plan affects the child's education"),
        Question("education_views", "Social worker's view of education", "Progress, worries and what would help"),
    ),
    SectionKind.CHILD_VOICE: (
        Question("views_on_school", "What I think about school", "In the child's own words"),
        Question("what_helps", "What helps me learn", "People, places and things that help"),
        Question("aspirations", "What I want to do when I'm older", "Hopes and dreams, big or small"),
    ),
    SectionKind.CARER: (
        Question("home_learning", "Learning at home", "Reading, homework, clubs and trips"),
        Question("carer_views", "Carer's views", "How school is going from home"),
    ),
}

SECTION_HELP: dict[str, str] = {
    SectionKind.DESIGNATED_TEACHER: "Completed by the designated teacher (or a colleague they delegate to).",
    SectionKind.SOCIAL_WORKER: "Completed by the child's social worker.",
    SectionKind.CHILD_VOICE: "The child's own words, gathered by someone they trust.",
    SectionKind.CARER: "The carer's part, entered by them or for them.",
}

# Parts of a PEP, for permissions and delegation: the four sections, then the school's data.
SCHOOL_PARTS = ("designated_teacher", "child_voice", "carer", "attainment", "targets", "actions")
PART_LABELS = {
    "designated_teacher": "Designated teacher's section",
    "social_worker": "Social worker's section",
    "child_voice": "The child's views",
    "carer": "Carer's section",
    "attainment": "Attainment",
    "targets": "Targets",
    "actions": "Actions",
    "meeting": "Meeting arrangements",
    "minutes": "Attendees and notes",
}


def questions_for(kind: str, nc_year: int | None = None) -> tuple[Question, ...]:
    return tuple(q for q in SECTION_QUESTIONS[kind] if q.from_year is None or nc_year is None or nc_year >= q.from_year)


def key_stage_for_year(nc_year: int) -> str:
    if nc_year <= 0:
        return KeyStage.EARLY_YEARS
    if nc_year <= 2:
        return KeyStage.KS1
    if nc_year <= 6:
        return KeyStage.KS2
    if nc_year <= 9:
        return KeyStage.KS3
    if nc_year <= 11:
        return KeyStage.KS4
    return KeyStage.POST16


# Each key stage's scale, lowest first: a target is aspirational when at or above where the child is working.
TEACHER_ASSESSMENT = ("Working towards", "Expected", "Greater depth")
SCALES: dict[str, tuple[str, ...]] = {
    KeyStage.EARLY_YEARS: ("Emerging", "Expected", "Exceeding"),
    KeyStage.KS1: TEACHER_ASSESSMENT,
    KeyStage.KS2: TEACHER_ASSESSMENT,
    KeyStage.KS3: TEACHER_ASSESSMENT,
    KeyStage.KS4: ("U", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
    KeyStage.POST16: ("U", "E", "D", "C", "B", "A", "A*", "Pass", "Merit", "Distinction", "Distinction*"),
}
SCALE_NAMES: dict[str, str] = {
    KeyStage.EARLY_YEARS: "early years (emerging, expected, exceeding)",
    KeyStage.KS1: "working towards, expected or greater depth",
    KeyStage.KS2: "working towards, expected or greater depth",
    KeyStage.KS3: "working towards, expected or greater depth",
    KeyStage.KS4: "GCSE grades 9 to 1 (or U)",
    KeyStage.POST16: "A level grades A* to E, or Pass, Merit, Distinction, Distinction*",
}
_POST16_FAMILIES = (("U", "E", "D", "C", "B", "A", "A*"), ("Pass", "Merit", "Distinction", "Distinction*"))


def scale_error(key_stage: str, value: str, what: str) -> str:
    """'' when `value` is on the key stage's scale, else what to enter."""
    if value in SCALES.get(key_stage, ()):
        return ""
    return f"Enter {what} on the {SCALE_NAMES.get(key_stage, key_stage)} scale"


def is_below(key_stage: str, target: str, current: str) -> bool:
    """True when `target` is lower than `current` on the scale (so not aspirational)."""
    scale = SCALES.get(key_stage, ())
    if key_stage == KeyStage.POST16:
        for family in _POST16_FAMILIES:
            if target in family and current in family:
                return family.index(target) < family.index(current)
        return False
    if target in scale and current in scale:
        return scale.index(target) < scale.index(current)
    return False


PRIOR_KEY_STAGES: dict[str, tuple[str, ...]] = {
    KeyStage.EARLY_YEARS: (),
    KeyStage.KS1: (KeyStage.EARLY_YEARS,),
    KeyStage.KS2: (KeyStage.EARLY_YEARS, KeyStage.KS1),
    KeyStage.KS3: (KeyStage.KS1, KeyStage.KS2),
    KeyStage.KS4: (KeyStage.KS2, KeyStage.KS3),
    KeyStage.POST16: (KeyStage.KS2, KeyStage.KS4),
}
