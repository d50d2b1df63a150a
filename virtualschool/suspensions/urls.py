"""Suspensions, permanent exclusion and reduced timetables."""

from django.urls import path

from . import views

app_name = "suspensions"

urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("children/<int:pk>/", views.child_tab, name="child"),
    path("children/<int:pk>/new/", views.suspension_create, name="create"),
    path("children/<int:pk>/risk/new/", views.risk_create, name="risk-create"),
    path("children/<int:pk>/reduced-timetables/new/", views.timetable_create, name="timetable-create"),
    path("<int:pk>/", views.suspension_detail, name="detail"),
    path("<int:pk>/edit/", views.suspension_edit, name="edit"),
    path("<int:pk>/follow-up/", views.suspension_follow_up, name="follow-up"),
    path("<int:pk>/exclusion/", views.exclusion_update, name="exclusion"),
    path("risks/<int:pk>/close/", views.risk_close, name="risk-close"),
    path("reduced-timetables/<int:pk>/review/", views.timetable_review, name="timetable-review"),
]
