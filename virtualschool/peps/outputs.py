"""What a PEP is printed and sent as: a PDF (WeasyPrint) a carer can print, and an iCalendar invitation."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .models import Pep


def filename(pep: Pep, what: str) -> str:
    child = re.sub(r"[^A-Za-z0-9]+", "-", pep.child.display_name).strip("-").lower()
    return f"{what}-{child}-{pep.academic_year}-{pep.term}"


logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per layout step otherwise


def render_pdf(template: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url).write_pdf()  # type: ignore[no-any-return]


def pdf_response(request: HttpRequest, template: str, context: dict[str, Any], *, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def meeting_ics(pep: Pep, request: HttpRequest | None = None) -> bytes:
    """A calendar invitation (RFC 5545) for the PEP meeting, with each invitee who has an e-mail address.

    It names the child by first name only: invitations travel through mail systems and calendars."""
    from icalendar import Calendar, Event, vCalAddress, vText

    assert pep.meeting_date and pep.meeting_time
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(pep.meeting_date, pep.meeting_time, tzinfo=zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Virtual School MIS//PEP meeting//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"pep-{pep.pk}-v{pep.plan_version}@virtual-school-mis")
    event.add("dtstamp", dt.datetime.now(tz=dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(hours=1))
    event.add("summary", f"PEP meeting: {pep.child.preferred_name or pep.child.first_name} ({pep.term_label})")
    event.add("location", pep.meeting_venue or ("Virtual" if pep.meeting_mode == "virtual" else ""))
    link = request.build_absolute_uri(f"/peps/{pep.pk}/") if request is not None else f"/peps/{pep.pk}/"
    event.add(
        "description",
        f"{pep.get_pep_type_display()} PEP meeting"
        f"{', ' + pep.get_meeting_mode_display().lower() if pep.meeting_mode else ''}. "
        f"Please complete your part of the PEP before the meeting: {link}",
    )
    event.add("sequence", pep.version)
    if pep.chair and pep.chair.email:
        organiser = vCalAddress(f"mailto:{pep.chair.email}")
        organiser.params["cn"] = vText(str(pep.chair))
        event["organizer"] = organiser
    for line in pep.invitees.splitlines():
        match = EMAIL_RE.search(line)
        if not match:
            continue
        attendee = vCalAddress(f"mailto:{match.group(0)}")
        name = line.replace(match.group(0), "").strip(" ,;<>()-")
        if name:
            attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()  # type: ignore[no-any-return]
