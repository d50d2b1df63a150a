"""What each role's primary navigation and home page offer. Which records appear is still up to the selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from .models import WHOLE_ROLL_ROLES, Role

# Virtual School staff who work across the whole roll and hold a caseload of their own.
_WHOLE_ROLL = frozenset(WHOLE_ROLL_ROLES)
# Everyone who sees only some children: the SEND specialist (children with SEN), designated teachers (their
# school's pupils), social workers and reviewing officers (their allocated children). Their caseload page
# lists exactly those children.
_OWN_CHILDREN = frozenset({Role.SEND_SPECIALIST, Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER, Role.REVIEWING_OFFICER})


@dataclass(frozen=True)
class Destination:
    """A place in the service a role uses: a navigation link and a card on the home page."""

    key: str
    url_name: str
    label: str
    description: str
    roles: frozenset[str]


DESTINATIONS: tuple[Destination, ...] = (
    Destination(
        "caseload",
        "children:caseload",
        "My caseload",
        "Children allocated to you as their Virtual School Lead.",
        _WHOLE_ROLL,
    ),
    Destination(
        "children",
        "children:caseload",
        "My children",
        "The children you work with, their school and their education placement.",
        _OWN_CHILDREN,
    ),
    Destination(
        "roll",
        "children:roll",
        "Roll",
        "Every child on the Virtual School roll: search and filter, and export as CSV.",
        _WHOLE_ROLL,
    ),
    Destination(
        "missing_education",
        "children:missing-education",
        "Missing education",
        "School-age children with no current education placement, and for how many days.",
        _WHOLE_ROLL | {Role.SEND_SPECIALIST},
    ),
    Destination(
        "escalations",
        "escalations:list",
        "Escalations",
        "Concerns raised when a school, social worker, carer or service fails a child: level, holder, due date.",
        _WHOLE_ROLL | _OWN_CHILDREN,
    ),
    Destination(
        "suspensions",
        "suspensions:overview",
        "Suspensions",
        "Suspensions, exclusions and reduced timetables: who was told late, missing paperwork, sixth-day "
        "provision, governors' thresholds and part-time concerns.",
        _WHOLE_ROLL | _OWN_CHILDREN,
    ),
    Destination(
        "schools",
        "schools:list",
        "Schools",
        "The register of schools in and out of the area, and the children on roll at each.",
        _WHOLE_ROLL | {Role.SEND_SPECIALIST, Role.DESIGNATED_TEACHER, Role.ADMINISTRATOR},
    ),
    Destination(
        "my_work",
        "duties:my-work",
        "My work",
        "Statutory duties overdue and due this week across your caseload.",
        _WHOLE_ROLL | _OWN_CHILDREN,
    ),
    Destination(
        "compliance",
        "duties:compliance",
        "Compliance",
        "For each statutory duty, the share met on time, by lead, school and area.",
        frozenset({Role.VIRTUAL_SCHOOL_HEAD, Role.DATA_SPECIALIST, Role.SERVICE_MANAGER}),
    ),
    Destination(
        "peps",
        "peps:due",
        "PEPs",
        "Personal Education Plans due and overdue, proposed reviews, and your part of each PEP.",
        _WHOLE_ROLL | _OWN_CHILDREN,
    ),
    Destination(
        "pep_qa",
        "peps:qa",
        "PEP quality",
        "Quality assurance of PEPs: held on time, submitted within 20 days, graded good, and the termly round.",
        frozenset({Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD, Role.DATA_SPECIALIST, Role.SERVICE_MANAGER}),
    ),
    Destination(
        "pupil_premium_budget",
        "pupilpremium:budget",
        "PP+ budget",
        "The Pupil Premium Plus grant year: total, committed, spent and remaining, the ledger, impact and exports.",
        frozenset({Role.VIRTUAL_SCHOOL_HEAD, Role.SERVICE_MANAGER, Role.DATA_SPECIALIST}),
    ),
    Destination(
        "pupil_premium",
        "pupilpremium:applications",
        "PP+ applications",
        "Apply for Pupil Premium Plus funding for a child, and see the panel's decisions.",
        frozenset({Role.VIRTUAL_SCHOOL_HEAD, Role.VIRTUAL_SCHOOL_LEAD, Role.DESIGNATED_TEACHER}),
    ),
    Destination(
        "pupil_premium_panels",
        "pupilpremium:panels",
        "PP+ panels",
        "The weekly panels you sit on, their packs and the applications to decide.",
        frozenset({Role.PANEL_MEMBER, Role.SERVICE_MANAGER}),
    ),
    Destination(
        "attendance",
        "attendance:dashboard",
        "Attendance",
        "Attendance of the children you work with: who to call today, who is below 85 % or falling, and uploads.",
        _WHOLE_ROLL | _OWN_CHILDREN,
    ),
)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    description: str
    url: str
    current: bool  # this very page
    active: bool  # this page or one below it


def _reverse(url_name: str) -> str | None:
    # Pages arrive app by app; a link to one not yet built is left out rather than breaking every page.
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def destinations_for(user: Any) -> list[Destination]:
    """The places `user`'s role works in, in navigation order."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [d for d in DESTINATIONS if user.role in d.roles]


def navigation_for(user: Any, path: str = "") -> list[NavItem]:
    """Primary navigation for `user`: Home, then their role's destinations whose pages exist."""
    if not getattr(user, "is_authenticated", False):
        return []
    home = reverse("home")
    items = [NavItem("home", "Home", "", home, current=path == home, active=path == home)]
    for destination in destinations_for(user):
        url = _reverse(destination.url_name)
        if url is None:
            continue
        items.append(
            NavItem(
                destination.key,
                destination.label,
                destination.description,
                url,
                current=path == url,
                active=path == url or (url != home and path.startswith(url) and not _deeper_item(path, url)),
            )
        )
    return items


def _deeper_item(path: str, url: str) -> bool:
    # /children/ (the roll) must not light up on /children/caseload/ when that has its own link.
    for destination in DESTINATIONS:
        other = _reverse(destination.url_name)
        if other and other != url and other.startswith(url) and path.startswith(other):
            return True
    return False


def primary_navigation(request: Any) -> dict[str, list[NavItem]]:
    """Context processor: `primary_navigation` for base.html."""
    return {"primary_navigation": navigation_for(getattr(request, "user", None), request.path)}
