from django.urls import path

from . import views

app_name = "placements"

urlpatterns = [
    path("new/<int:child_pk>/", views.placement_create, name="create"),
    path("<int:pk>/edit/", views.placement_edit, name="edit"),
    path("<int:pk>/end/", views.placement_end, name="end"),
]
