from django.urls import path

from . import views

app_name = "peps"

urlpatterns = [
    path("", views.due_list_page, name="due"),
    path("children/<int:pk>/", views.child_peps, name="child"),
]
