from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

TODAY = dt.date(2026, 11, 20)  # a Friday


@pytest.fixture
def att(world: Any) -> Any:
    """The shared world with UPNs on its two children."""
    world.child_a.upn = "A999000000001"
    world.child_a.save(update_fields=["upn"])
    world.child_b.upn = "B999000000002"
    world.child_b.save(update_fields=["upn"])
    return world


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()
