"""The Google Calendar settings page (mounted by knock/urls.py; names "google:...")."""

from django.urls import path

from . import google

app_name = "google"

W = "w/<int:ws>/"
urlpatterns = [
    path(W + "google/", google.google_page, name="settings"),
    path(W + "google/check/", google.google_check, name="check"),
]
