from django.urls import path

from . import sdq_views, views

app_name = "children"

urlpatterns = [
    path("", views.roll, name="roll"),
    path("export.csv", views.roll_export, name="export"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/export.csv", views.caseload_export, name="caseload-export"),
    path("missing-education/", views.missing_education, name="missing-education"),
    path("new/", views.child_create, name="create"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/placements/", views.child_placements, name="placements"),
    path("<int:pk>/care/", views.child_care_history, name="care-history"),
    path("<int:pk>/history/", views.child_history, name="history"),
    path("<int:pk>/sdq/", sdq_views.child_sdq, name="sdq"),
    path("<int:pk>/sdq/new/", sdq_views.child_sdq_record, name="sdq-record"),
    path("<int:pk>/sdq/<int:sdq_pk>/", sdq_views.child_sdq_detail, name="sdq-detail"),
    path("<int:pk>/sdq/<int:sdq_pk>/remove/", sdq_views.child_sdq_delete, name="sdq-delete"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/close/", views.child_close, name="close"),
    path("<int:pk>/reopen/", views.child_reopen, name="reopen"),
]
