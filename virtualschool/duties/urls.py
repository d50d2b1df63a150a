from django.urls import path

from . import views

app_name = "duties"

urlpatterns = [
    path("", views.my_work, name="my-work"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/list/", views.compliance_list, name="compliance-list"),
    path("rules/", views.rule_list, name="rules"),
    path("children/<int:pk>/", views.child_duties, name="child"),
]
