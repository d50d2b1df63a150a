"""python manage.py demo_logins [--port 8000]: where the demo runs and one login per role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from virtualschool.demo import catalogue as cat
from virtualschool.demo.builder import demo_logins


class Command(BaseCommand):
    help = "Print the local address and one demo login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="The port the server listens on.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        self.stdout.write(f"Virtual School MIS: http://127.0.0.1:{options['port']}/")
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo accounts yet: run `python manage.py load_demo` to load the synthetic demo.")
            return
        header = ("Role", "Username", "Password", "Name")
        table = [(role, username, cat.DEMO_PASSWORD, name) for username, role, name in rows]
        widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("Demo logins (synthetic data; the password is for this demonstration only):")
        self.stdout.write("")
        self.stdout.write(line(header))
        self.stdout.write(line(tuple("-" * w for w in widths)))
        for row in table:
            self.stdout.write(line(row))
        self.stdout.write("")
