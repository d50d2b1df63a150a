from django.urls import path

from . import views

# The home page (`home`, path "") is in virtualschool.accounts.urls: it counts children through the placements
# selectors, and core imports no domain app.
urlpatterns = [
    path("accessibility", views.accessibility_statement, name="accessibility"),
    path("privacy", views.privacy_notice, name="privacy"),
    path("notifications/", views.notification_list, name="notifications"),
]
