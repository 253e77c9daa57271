"""The CRM console pages. knock/urls.py mounts them in the "console" namespace,
under the same paths and names as before (templates use console:crm...)."""

from django.urls import path

from . import views

W = "w/<int:ws>/"
console_urlpatterns = [
    path(W + "crm/", views.crm_page, name="crm"),
    path(W + "crm/settings/", views.crm_settings, name="crm-settings"),
    path(W + "crm/upload/", views.crm_upload, name="crm-upload"),
    path(W + "crm/imports/<int:import_id>/", views.crm_import_progress, name="crm-import"),
    path(W + "crm/mappings/", views.crm_mapping, name="crm-mapping"),
]
