"""The JSON API lives at /api/v1/ (see api.py)."""

from django.urls import path

from .api import api

urlpatterns = [path("", api.urls)]
