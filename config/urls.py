from django.contrib import admin
from django.urls import include, path

from virtualschool.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("virtualschool.api.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("virtualschool.accounts.urls")),
    path("", include("virtualschool.core.urls")),
    path("schools/", include("virtualschool.schools.urls")),
    path("children/", include("virtualschool.children.urls")),
    path("placements/", include("virtualschool.placements.urls")),
    path("attendance/", include("virtualschool.attendance.urls")),
    path("suspensions/", include("virtualschool.suspensions.urls")),
    path("peps/", include("virtualschool.peps.urls")),
    path("duties/", include("virtualschool.duties.urls")),
    path("escalations/", include("virtualschool.escalations.urls")),
    path("pupil-premium/", include("virtualschool.pupilpremium.urls")),
]
