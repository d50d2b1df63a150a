"""The JSON API lives at /api/v1/ (see api.py).

Its operations authenticate by bearer token, not by session, so they are exempt from LoginRequiredMiddleware
(which would otherwise redirect an integration to the sign-in page). So is the OpenAPI document, which holds no
data. The interactive docs page stays behind sign-in.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path

from .api import api

api_urls = api.urls
for pattern in api_urls[0]:
    if isinstance(pattern, URLPattern) and pattern.name != "openapi-view":
        login_not_required(pattern.callback)

urlpatterns = [path("", api_urls)]
