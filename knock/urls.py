from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from crm import urls as crm_urls
from notifications import urls as notifications_urls
from routing import public
from routing.console import urls as console_urls

# One "console" namespace: routing's pages, then the CRM and Slack slices' own pages
# (same paths and names as when routing held them, e.g. console:crm, console:slack).
console = (
    console_urls.urlpatterns
    + crm_urls.console_urlpatterns
    + notifications_urls.console_urlpatterns,
    "console",
)

# An htmx request gets a fragment for its target, a page a page (knock/not_found.py).
handler404 = "knock.not_found.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # calendars' API first: it adds meetings, and reps' calendars and meeting-rule
    # simulation on top of routing's "reps" and "rules" (routing never imports calendars).
    path("api/v1/", include("calendars.api.urls")),
    path("api/v1/", include("routing.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # The booking page (calendars) before the public link route it extends.
    path("l/<slug:workspace>/<slug:slug>/", include("calendars.public")),
    path("l/<slug:workspace>/<slug:slug>/", public.link_page, name="public-link"),
    path("slack/", include("notifications.urls")),
    path("", include("calendars.console.urls")),  # meetings, reps' calendars (by URL name)
    path("", include("calendars.console.urls_google")),  # /w/<ws>/google/ ("google:settings")
    path("", include("enrichment.urls")),  # /w/<ws>/enrichment/ ("enrichment:page")
    path("", include(console)),
]
