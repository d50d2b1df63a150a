"""Pupil Premium Plus: grant years, allocations, applications, panel decisions and impact."""

from django.urls import path

from . import views

app_name = "pupilpremium"

urlpatterns = [
    path("", views.budget, name="budget"),
    path("years/new/", views.year_create, name="year-create"),
    path("years/<int:pk>/count/", views.year_count, name="year-count"),
    path("years/<int:pk>/plan-terms/", views.year_plan_terms, name="year-plan-terms"),
    path("years/<int:pk>/release-term/", views.year_release_term, name="year-release-term"),
    path("years/<int:pk>/top-slice/", views.top_slice, name="top-slice"),
    path("years/<int:pk>/bands/", views.band_add, name="band-add"),
    path("years/<int:pk>/terms/", views.term_allocation, name="term-allocation"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/new/", views.ledger_add, name="ledger-add"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/vote/", views.application_vote, name="application-vote"),
    path("applications/<int:pk>/answer/", views.application_answer, name="application-answer"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/payment/", views.application_payment, name="application-payment"),
    path("applications/<int:pk>/conflict/", views.conflict_declare, name="conflict-declare"),
    path("applications/<int:pk>/targets/<int:target_pk>/review/", views.target_review, name="target-review"),
    path("panels/", views.panel_list, name="panels"),
    path("panels/<int:pk>/", views.panel_detail, name="panel"),
    path("panels/<int:pk>/take-waiting/", views.panel_take_waiting, name="panel-take-waiting"),
    path("panels/<int:pk>/pack/", views.panel_pack, name="panel-pack"),
    path("panels/<int:pk>/pack.pdf", views.panel_pack_pdf, name="panel-pack-pdf"),
    path("impact/", views.impact, name="impact"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<slug:what>.<slug:file_format>", views.export_file, name="export"),
    path("children/<int:pk>/", views.child_tab, name="child"),
]
