"""A newcomer's machine: SQLite unless DATABASE_URL says otherwise, e-mail printed to the console."""

from config.env import database_from_url, env_str

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = True
SERVICE_BASE_URL = env_str("SERVICE_BASE_URL", "http://127.0.0.1:8000")
SECRET_KEY = env_str("SECRET_KEY", "local-development-only-not-a-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES = {"default": database_from_url(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
