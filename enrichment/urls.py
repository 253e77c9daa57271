"""The Enrichment console page (mounted by knock/urls.py; names "enrichment:...")."""

from django.urls import path

from . import views

app_name = "enrichment"

W = "w/<int:ws>/enrichment/"
urlpatterns = [
    path(W, views.page, name="page"),
    path(W + "settings/", views.save_settings, name="settings"),
    path(W + "upload/", views.upload, name="upload"),
    path(W + "imports/<int:import_id>/", views.import_progress, name="import"),
    path(W + "lookup/", views.lookup_domain, name="lookup"),
    path(W + "cache/clear/", views.clear_cache, name="clear-cache"),
]
