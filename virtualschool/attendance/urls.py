from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("upload/", views.upload, name="upload"),
    path("upload/<int:pk>/", views.upload_status, name="upload-status"),
    path("upload/<int:pk>/progress.json", views.upload_progress, name="upload-progress"),
    path("children/<int:pk>/", views.child_attendance, name="child"),
]
