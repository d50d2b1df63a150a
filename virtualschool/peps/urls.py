from django.urls import path

from . import views

app_name = "peps"

urlpatterns = [
    path("", views.due_list_page, name="due"),
    path("qa/", views.qa_page, name="qa"),
    path("qa/rounds/", views.qa_round_create, name="qa-round"),
    path("delegations/new/", views.delegation_add, name="delegation-new"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation-end"),
    path("children/<int:pk>/", views.child_peps, name="child"),
    path("children/<int:pk>/new/", views.pep_create, name="create"),
    path("children/<int:pk>/care-reviews/new/", views.care_review_add, name="care-review-new"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal-accept"),
    path("proposals/<int:pk>/dismiss/", views.proposal_dismiss, name="proposal-dismiss"),
    path("<int:pk>/", views.pep_detail, name="detail"),
    path("<int:pk>/your-part/", views.your_part, name="your-part"),
    path("<int:pk>/start/", views.pep_start, name="start"),
    path("<int:pk>/sections/<slug:kind>/", views.section_edit, name="section"),
    path("<int:pk>/meeting/", views.meeting_arrange, name="meeting"),
    path("<int:pk>/meeting/record/", views.meeting_record, name="meeting-record"),
    path("<int:pk>/meeting.ics", views.pep_ics, name="ics"),
    path("<int:pk>/attainment/new/", views.attainment_edit, name="attainment-new"),
    path("<int:pk>/attainment/<int:row_pk>/", views.attainment_edit, name="attainment"),
    path("<int:pk>/prior-attainment/new/", views.prior_attainment_add, name="prior-attainment-new"),
    path("<int:pk>/targets/new/", views.target_edit, name="target-new"),
    path("<int:pk>/targets/check/", views.target_check, name="target-check"),
    path("<int:pk>/targets/<int:target_pk>/", views.target_edit, name="target"),
    path("<int:pk>/targets/<int:target_pk>/review/", views.target_review, name="target-review"),
    path("<int:pk>/actions/new/", views.action_edit, name="action-new"),
    path("<int:pk>/actions/<int:action_pk>/", views.action_edit, name="action"),
    path("<int:pk>/submit/", views.pep_submit, name="submit"),
    path("<int:pk>/decision/", views.pep_decide, name="decide"),
    path("<int:pk>/qa/", views.pep_qa, name="qa-form"),
    path("<int:pk>/new-version/", views.pep_amend, name="amend"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/pep.pdf", views.pep_pdf, name="pdf"),
    path("<int:pk>/care-review-summary/", views.pep_summary, name="summary"),
]
