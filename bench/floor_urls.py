"""The product's URLs, plus ``POST /bench/floor/`` (the floor of item 2)."""

from django.urls import path

from bench.floor import FloorView
from knock.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/floor/", FloorView.as_view()), *product_urlpatterns]
