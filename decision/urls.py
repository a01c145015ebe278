from django.contrib import admin
from django.urls import include, path

from . import views

decision_patterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.comparison_detail, name="comparison"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((decision_patterns, "decision"))),
]
