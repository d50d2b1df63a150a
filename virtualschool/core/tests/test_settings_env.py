import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url

ROOT = Path(__file__).resolve().parents[3]


def _start_production(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _start_production({"DATABASE_URL": "sqlite:///x.db", "ALLOWED_HOSTS": "vs.example.gov.uk"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    result = _start_production({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "vs.example.gov.uk"})
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_database_url_takes_sqlite_and_postgres():
    assert database_from_url("sqlite:////tmp/vs.db")["ENGINE"] == "django.db.backends.sqlite3"
    pg = database_from_url("postgres://vs:pw@db.example:5432/vsm")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["NAME"]) == ("db.example", "vsm")


def test_an_unknown_database_url_scheme_is_refused_with_what_to_use():
    with pytest.raises(ImproperlyConfigured, match="sqlite:/// or postgres://"):
        database_from_url("mysql://x/y")
