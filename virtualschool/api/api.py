"""Placeholder; the API helper replaces this module."""

from ninja import NinjaAPI

api = NinjaAPI(title="Virtual School MIS API", version="1", urls_namespace="api-v1")
