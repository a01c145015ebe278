from django.contrib import admin
from django.urls import include, path

from . import dashboard_views, health, lead_views, views

decision_patterns = [
    path("", views.index, name="index"),
    path("privacy/", views.privacy, name="privacy"),
    path("<slug:slug>/", views.comparison_detail, name="comparison"),
    path("<slug:slug>/costs/", views.cost_page, name="costs"),
    path("<slug:slug>/call/", lead_views.call, name="call"),
    path("<slug:slug>/wizard/", views.wizard, name="wizard"),
    path("<slug:slug>/wizard/review/", views.wizard_review, name="wizard_review"),
    path("<slug:slug>/wizard/finish/", views.wizard_finish, name="wizard_finish"),
    path("<slug:slug>/results/<str:token>/", views.result, name="result"),
    path("<slug:slug>/results/<str:token>/adr.md", views.result_adr, name="result_adr"),
    path("<slug:slug>/results/<str:token>/vote/", lead_views.vote, name="vote"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/analytics/", admin.site.admin_view(dashboard_views.dashboard), name="analytics"),
    path("admin/", admin.site.urls),
    path("", include((decision_patterns, "decision"))),
]

handler400 = "decision.errors.bad_request"
handler403 = "decision.errors.permission_denied"
handler404 = "decision.errors.page_not_found"
handler500 = "decision.errors.server_error"
