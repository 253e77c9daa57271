"""The Enrichment console page: settings (bad input is a 400 that writes nothing),
CSV upload with progress, the cached answers count, the look-up box."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from enrichment.models import CachedAnswer, Company, CompanyImport, EnrichmentSettings
from routing.models import Membership
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(workspace):
    user = get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    Membership.objects.create(workspace=workspace, user=user)
    client = Client()
    client.force_login(user)
    return client


def url(workspace, path=""):
    return f"/w/{workspace.id}/enrichment/{path}"


HTTP = {
    "provider": "http",
    "timeout_ms": "800",
    "cache_ttl_days": "7",
    "http_url_template": "https://enrich.test/v1/companies/{domain}",
    "http_secret_header": "X-Api-Key",
    "secret_value": "key-123",
    "headers": "Accept-Language: en",
    "mapping": "name = data.name\nemployees = data.metrics.employees",
}


def test_the_page_and_its_nav_entry(console, workspace):
    page = console.get(url(workspace)).content.decode()
    assert "Look up a domain" in page and "0 cached answers" in page
    assert f'href="/w/{workspace.id}/enrichment/"' in page


def test_http_settings_are_saved_with_the_secret_encrypted(console, workspace):
    response = console.post(url(workspace, "settings/"), HTTP)
    assert response.status_code == 302
    saved = EnrichmentSettings.objects.get(workspace=workspace)
    assert saved.http_mapping == {"name": "data.name", "employees": "data.metrics.employees"}
    assert saved.http_headers == {"Accept-Language": "en"}
    assert saved.http_secret == "key-123" and "key-123" not in saved.http_secret_encrypted
    assert "key-123" not in console.get(url(workspace)).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("http_url_template", "https://enrich.test/v1/companies", "needs {domain}"),
        ("http_url_template", "https://enrich.test/{domain}/{key}", "Only {domain}"),
        ("http_url_template", "ftp://enrich.test/{domain}", "not an http(s) URL"),
        ("http_url_template", "https://enrich.test/{domain", "Unbalanced braces"),
        ("mapping", "employees = data..employees", "is not a JSON path"),
        ("mapping", "staff = data.employees", "is not a company field"),
        ("mapping", "", "Map at least one company field"),
        ("headers", "no colon here", "Name: value"),
        ("http_secret_header", "Bad Header", "is not an HTTP header name"),
    ],
)
def test_bad_settings_are_a_400_and_write_nothing(console, workspace, field, value, message):
    response = console.post(url(workspace, "settings/"), {**HTTP, field: value})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert not EnrichmentSettings.objects.filter(workspace=workspace).exists()


def test_changing_the_provider_url_forgets_the_cache(console, workspace):
    console.post(url(workspace, "settings/"), HTTP)
    from django.utils import timezone

    now = timezone.now()
    CachedAnswer.objects.create(
        workspace=workspace, provider="http", domain="acme.com", fetched_at=now, expires_at=now
    )
    console.post(
        url(workspace, "settings/"), {**HTTP, "http_url_template": "https://b.test/{domain}"}
    )
    assert CachedAnswer.objects.count() == 0


def test_upload_imports_in_a_task_with_progress(console, workspace):
    text = "domain,name,employees\nacme.com,Acme,1200\nglobex.com,Globex,5400\n"
    response = console.post(
        url(workspace, "upload/"),
        {"file": SimpleUploadedFile("companies.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302 and Company.objects.count() == 0
    run_tasks()
    job = CompanyImport.objects.get()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    partial = console.get(url(workspace, f"imports/{job.id}/")).content.decode()
    assert "Imported" in partial and "2/2" in partial
    assert "globex.com" in console.get(url(workspace) + "?q=glob").content.decode()


def test_a_bad_upload_names_the_line_and_imports_nothing(console, workspace):
    text = "domain,employees\nacme.com,12\nbad domain,3\n"
    console.post(
        url(workspace, "upload/"),
        {"file": SimpleUploadedFile("c.csv", text.encode(), content_type="text/csv")},
    )
    run_tasks()
    job = CompanyImport.objects.get()
    assert job.status == "failed" and Company.objects.count() == 0
    assert job.errors[0].startswith("line 3: bad domain")
    assert "Nothing imported" in console.get(url(workspace)).content.decode()


def test_a_failed_import_shows_its_counts_and_a_running_one_polls_its_partial(console, workspace):
    # One partial with the CRM page's (console/partials/_import_job.html).
    CompanyImport.objects.create(
        workspace=workspace, filename="bad.csv", content="", status="failed", total=3,
        errors=["line 2: bad domain 'x'", "line 4: bad domain 'y'"],
    )  # fmt: skip
    running = CompanyImport.objects.create(workspace=workspace, filename="big.csv", content="x")
    page = console.get(url(workspace)).content.decode()
    assert "3 rows read, 2 errors: nothing imported (all or nothing)." in page
    assert f'hx-get="{url(workspace, f"imports/{running.id}/")}"' in page


def test_the_lookup_box_shows_fields_and_their_source(console, workspace):
    Company.objects.create(workspace=workspace, domain="acme.com", name="Acme", employees=1200)
    page = console.post(url(workspace, "lookup/"), {"domain": "nina@eu.acme.com"}).content.decode()
    assert "matched acme.com" in page and "enrichment: local" in page
    assert "company.employees" in page and "1200" in page
    bad = console.post(url(workspace, "lookup/"), {"domain": "not a domain"})
    assert bad.status_code == 400 and "Give a domain" in bad.content.decode()
