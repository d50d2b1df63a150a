from django.urls import path

from . import views

app_name = "escalations"

urlpatterns = [
    path("", views.escalation_list, name="list"),
    path("ladders/", views.ladder_list, name="ladders"),
    path("notification-settings/", views.preference_edit, name="preferences"),
    path("child/<int:pk>/", views.child_escalations, name="child"),
    path("child/<int:pk>/raise/", views.escalation_raise, name="raise"),
    path("<int:pk>/", views.escalation_detail, name="detail"),
    path("<int:pk>/move/", views.escalation_move, name="move"),
    path("<int:pk>/skip/", views.escalation_skip, name="skip"),
    path("<int:pk>/resolve/", views.escalation_resolve, name="resolve"),
    path("<int:pk>/contact/", views.contact_add, name="contact"),
    path("<int:pk>/childs-views/", views.child_view_add, name="child-view"),
    path("<int:pk>/responses/", views.responses_edit, name="responses"),
    path("<int:pk>/letter/", views.letter, name="letter"),
    path("<int:pk>/letter.docx", views.letter_docx, name="letter-docx"),
]
