from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("export.csv", views.school_export, name="export"),
    path("<int:pk>/", views.school_detail, name="detail"),
]
