"""The DfE attendance and absence codes in force since 19 August 2024, and how each counts.

Source: the codes are the `AttendanceReason` list of the DfE school census schema for 2025
(`shared/data/schemas/school-census/school_census_schema_2025.diff.yml`, column
`termlysessiondetailsonroll.attendancereason`), which follows the national codes of the School Attendance
(Pupil Registration) (England) Regulations 2024 and the statutory guidance *Working together to improve school
attendance* (DfE, August 2024), chapter 7 ("Recording attendance and absence") and its table of codes and their
statistical meanings. Each code is counted in exactly one of five classes; the statistics follow from the class
(docs/attendance.md):

- present: attending the school (counts as attendance);
- approved educational activity: attending a place other than the school (counts as attendance);
- authorised absence and unauthorised absence: possible sessions missed;
- not a possible session: not counted at all (neither attendance nor absence).

H and J are codes withdrawn in August 2024 that the census still accepts from some London schools; they are
counted as they were before (authorised leave of absence, interview) and flagged as withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MarkClass(StrEnum):
    """How a session counts. The values are what the database stores where a class is stored."""

    PRESENT = "present"
    APPROVED_ACTIVITY = "aea"
    AUTHORISED = "authorised"
    UNAUTHORISED = "unauthorised"
    NOT_POSSIBLE = "not_possible"

    @property
    def label(self) -> str:
        return CLASS_LABELS[self]

    @property
    def is_possible(self) -> bool:
        return self is not MarkClass.NOT_POSSIBLE

    @property
    def is_absence(self) -> bool:
        return self in (MarkClass.AUTHORISED, MarkClass.UNAUTHORISED)

    @property
    def is_attendance(self) -> bool:
        return self in (MarkClass.PRESENT, MarkClass.APPROVED_ACTIVITY)


CLASS_LABELS = {
    MarkClass.PRESENT: "Present",
    MarkClass.APPROVED_ACTIVITY: "Attending an approved educational activity",
    MarkClass.AUTHORISED: "Authorised absence",
    MarkClass.UNAUTHORISED: "Unauthorised absence",
    MarkClass.NOT_POSSIBLE: "Not a possible session",
}


@dataclass(frozen=True)
class AttendanceCode:
    code: str
    meaning: str
    mark_class: MarkClass
    group: str  # the heading the guidance lists the code under
    withdrawn: bool = False


P, A, AU, UN, X = (
    MarkClass.PRESENT,
    MarkClass.APPROVED_ACTIVITY,
    MarkClass.AUTHORISED,
    MarkClass.UNAUTHORISED,
    MarkClass.NOT_POSSIBLE,
)
_AT = "Attending the school"
_AWAY = "Attending a place other than the school"
_LEAVE = "Absent: leave of absence"
_OTHER = "Absent: other authorised reasons"
_UNABLE = "Absent: unable to attend because of an unavoidable cause"
_UNAUTH = "Absent: unauthorised"
_ADMIN = "Administrative codes"

CODES: tuple[AttendanceCode, ...] = (
    AttendanceCode("/", "Present (morning registration)", P, _AT),
    AttendanceCode("\\", "Present (afternoon registration)", P, _AT),
    AttendanceCode("L", "Late arrival before the register closed", P, _AT),
    AttendanceCode("K", "Attending education provision arranged by the local authority", A, _AWAY),
    AttendanceCode("V", "Attending an educational visit or trip", A, _AWAY),
    AttendanceCode("P", "Participating in a sporting activity", A, _AWAY),
    AttendanceCode("W", "Attending work experience", A, _AWAY),
    AttendanceCode("B", "Attending any other approved educational activity", A, _AWAY),
    AttendanceCode("D", "Attending another school at which the pupil is registered (dual registration)", X, _AWAY),
    AttendanceCode("C1", "Leave of absence for a regulated performance or regulated employment abroad", AU, _LEAVE),
    AttendanceCode("M", "Leave of absence for a medical or dental appointment", AU, _LEAVE),
    AttendanceCode("J1", "Leave of absence for an interview", AU, _LEAVE),
    AttendanceCode("S", "Leave of absence for study leave", AU, _LEAVE),
    AttendanceCode("X", "Not required to be in school (non-compulsory school age)", X, _LEAVE),
    AttendanceCode("C2", "Leave of absence for a part-time timetable", AU, _LEAVE),
    AttendanceCode("C", "Leave of absence for exceptional circumstances", AU, _LEAVE),
    AttendanceCode("T", "Parent travelling for occupational purposes", AU, _OTHER),
    AttendanceCode("R", "Religious observance", AU, _OTHER),
    AttendanceCode("I", "Illness (not medical or dental appointment)", AU, _OTHER),
    AttendanceCode("E", "Suspended or permanently excluded, no alternative provision made", AU, _OTHER),
    AttendanceCode("Q", "Unable to attend because of a lack of access arrangements", X, _UNABLE),
    AttendanceCode("Y1", "Unable to attend: transport normally provided not available", X, _UNABLE),
    AttendanceCode("Y2", "Unable to attend: widespread disruption to travel", X, _UNABLE),
    AttendanceCode("Y3", "Unable to attend: part of the school premises closed", X, _UNABLE),
    AttendanceCode("Y4", "Unable to attend: whole school site unexpectedly closed", X, _UNABLE),
    AttendanceCode("Y5", "Unable to attend: in criminal justice detention", X, _UNABLE),
    AttendanceCode("Y6", "Unable to attend: public health guidance or law", X, _UNABLE),
    AttendanceCode("Y7", "Unable to attend: any other unavoidable cause", X, _UNABLE),
    AttendanceCode("G", "Holiday not granted by the school", UN, _UNAUTH),
    AttendanceCode("N", "Reason for absence not yet established", UN, _UNAUTH),
    AttendanceCode("O", "Absent in other or unknown circumstances", UN, _UNAUTH),
    AttendanceCode("U", "Arrived in school after registration closed", UN, _UNAUTH),
    AttendanceCode("Z", "Prospective pupil not on the admission register", X, _ADMIN),
    AttendanceCode("#", "Planned whole or partial school closure", X, _ADMIN),
    AttendanceCode("H", "Holiday authorised by the school (withdrawn August 2024)", AU, _LEAVE, withdrawn=True),
    AttendanceCode("J", "Interview (withdrawn August 2024; now J1)", AU, _LEAVE, withdrawn=True),
)

CODE_BY_VALUE: dict[str, AttendanceCode] = {c.code: c for c in CODES}
CLASS_OF: dict[str, MarkClass] = {c.code: c.mark_class for c in CODES}
CODES_IN_CLASS: dict[MarkClass, tuple[str, ...]] = {
    klass: tuple(c.code for c in CODES if c.mark_class is klass) for klass in MarkClass
}
# Marks that may mean a child is missing education when they run on (DfE: N not resolved within five days
# becomes O).
MISSING_CODES = ("N", "O")


def normalise(code: str) -> str:
    """A code as written in a file, in the form stored: trimmed and in capitals ('c1' is C1)."""
    return (code or "").strip().upper()


def classify(code: str) -> MarkClass:
    """The class of a code; KeyError for a code that is not in the list."""
    return CLASS_OF[normalise(code)]


def meaning(code: str) -> str:
    found = CODE_BY_VALUE.get(code)
    return found.meaning if found else "Unknown code"
