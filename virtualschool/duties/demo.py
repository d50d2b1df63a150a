"""The demo's duties: computed from the synthetic roll like any other (no duty is written by hand)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import engine


def write_demo_duties(*, users: dict[str, Any], schools: dict[str, Any], today: dt.date, seed: int) -> None:
    engine.refresh(today=today)
