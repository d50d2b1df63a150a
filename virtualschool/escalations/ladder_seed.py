"""Write the seeded ladders (fixtures/escalation_ladders.json) into the tables: used by the data migration and by
`manage.py load_ladders`. A ladder is matched by its slug and its levels by number, so loading again brings a
ladder back to the seed without touching the escalations that use it.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from django.db.models import ProtectedError

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "escalation_ladders.json"

LADDER_FIELDS = (
    "name",
    "source",
    "failing_party",
    "summary",
    "order",
    "may_skip",
    "skip_by",
    "safeguarding_all_steps",
    "safeguarding_note",
)
LEVEL_FIELDS = (
    "name",
    "responsible",
    "copied",
    "time_amount",
    "time_unit",
    "safeguarding_time_amount",
    "safeguarding_time_unit",
    "time_note",
    "actions",
    "responses",
    "ask_child_views",
    "consider_reviewing_officer",
    "repeats",
)
LEVEL_DEFAULTS: dict[str, Any] = {
    "copied": "",
    "time_amount": None,
    "time_unit": "working",
    "safeguarding_time_amount": None,
    "safeguarding_time_unit": "working",
    "time_note": "",
    "actions": "",
    "responses": [],
    "ask_child_views": True,
    "consider_reviewing_officer": False,
    "repeats": False,
}


def seed_ladders() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def load_ladders(ladder_model: Any, level_model: Any, slugs: list[str] | None = None) -> list[str]:
    """Create or bring back to the seed each ladder (all, or those in `slugs`); the slugs written."""
    written = []
    for item in seed_ladders():
        if slugs is not None and item["slug"] not in slugs:
            continue
        values = {name: item.get(name, "") for name in LADDER_FIELDS}
        values["order"] = item.get("order", 100)
        values["may_skip"] = bool(item.get("may_skip", False))
        values["safeguarding_all_steps"] = bool(item.get("safeguarding_all_steps", False))
        ladder, _ = ladder_model.objects.update_or_create(slug=item["slug"], defaults={**values, "active": True})
        numbers = []
        for level in item["levels"]:
            level_values = {**LEVEL_DEFAULTS, **{k: v for k, v in level.items() if k in LEVEL_FIELDS}}
            if isinstance(level_values["actions"], list):
                level_values["actions"] = "\n".join(level_values["actions"])
            level_model.objects.update_or_create(ladder=ladder, number=level["number"], defaults=level_values)
            numbers.append(level["number"])
        # A level the seed no longer has is removed only if no escalation ever reached it.
        for extra in level_model.objects.filter(ladder=ladder).exclude(number__in=numbers):
            with contextlib.suppress(ProtectedError):  # an escalation reached it: keep it
                extra.delete()
        written.append(item["slug"])
    return written
