"""The synthetic demo's Pupil Premium Plus: filled in below."""

from __future__ import annotations

from typing import Any


def write_pupil_premium_demo(*, users: dict[str, Any], schools: dict[Any, Any], today: Any, seed: int) -> None:
    return None
