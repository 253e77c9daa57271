"""Providers: the local table (parent domains, personal mailboxes), the HTTP
provider against `responses`, the time box and the per-domain cache."""

import time
from datetime import timedelta

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from enrichment.facts import fetch, lookup
from enrichment.models import CachedAnswer, Company, EnrichmentSettings
from enrichment.providers import UnknownProvider, provider_class

pytestmark = pytest.mark.django_db

URL = "https://enrich.test/v1/companies"
ANSWER = {
    "company": {
        "name": "Acme Corp",
        "metrics": {"employees": "1,200"},
        "category": {"industry": "Software"},
        "geo": {"countryCode": "US"},
        "tech": [{"name": "Salesforce"}, "Slack"],
    }
}


def test_local_matches_the_domain_or_its_closest_parent(workspace):
    Company.objects.create(workspace=workspace, domain="acme.com", name="Acme", employees=1200)
    Company.objects.create(workspace=workspace, domain="sales.acme.com", name="Acme Sales")
    facts = fetch(workspace, email="a@eu.acme.com", domain="eu.acme.com")
    assert facts.company["name"] == "Acme" and facts.matched_domain == "acme.com"
    assert facts.source == "enrichment: local" and facts.error is None
    assert (
        fetch(workspace, email="b@x.sales.acme.com", domain="x.sales.acme.com").company["name"]
        == "Acme Sales"
    )
    assert fetch(workspace, email="c@other.com", domain="other.com").company is None


def test_personal_mailboxes_never_match(workspace):
    Company.objects.create(workspace=workspace, domain="gmail.com", name="Google Mail")
    facts = fetch(workspace, email="nina@gmail.com", domain="gmail.com")
    assert facts.company is None and "personal email domain" in facts.skipped


def test_companies_are_per_workspace(workspace):
    from routing import actions

    other, _ = actions.create_workspace("Other")
    Company.objects.create(workspace=other, domain="acme.com", name="Acme")
    assert fetch(workspace, email="a@acme.com", domain="acme.com").company is None


def test_an_unknown_provider_is_an_error_not_a_default(workspace):
    with pytest.raises(UnknownProvider) as exc:
        provider_class("clearbitt")
    assert isinstance(exc.value, ImproperlyConfigured)
    settings = EnrichmentSettings(workspace=workspace, provider="clearbitt")
    facts = lookup(settings, "acme.com")
    assert facts.company is None and "unknown enrichment provider" in facts.error


def test_http_maps_json_paths_sends_the_secret_and_caches(workspace, rsps, http_settings):
    settings = http_settings()
    call = rsps.get(URL, json=ANSWER)
    facts = fetch(workspace, email="a@acme.com", domain="acme.com")
    assert facts.company == {
        "name": "Acme Corp",
        "employees": 1200,
        "industry": "Software",
        "country": "US",
        "tech": ["Salesforce", "Slack"],
    }
    assert facts.source == "enrichment: http" and not facts.cached
    sent = call.calls[0].request
    assert sent.headers["Authorization"] == "Bearer sk_test_123"
    assert sent.url == URL + "?domain=acme.com"
    assert "sk_test_123" not in settings.http_secret_encrypted  # stored encrypted

    again = fetch(workspace, email="b@acme.com", domain="acme.com")
    assert again.cached and again.company == facts.company
    assert call.call_count == 1  # the second lead is answered from the database
    row = CachedAnswer.objects.get(domain="acme.com")
    assert row.found and row.expires_at - row.fetched_at == timedelta(days=7)


def test_an_expired_answer_is_asked_again(workspace, rsps, http_settings):
    http_settings(cache_ttl_days=2)
    call = rsps.get(URL, json=ANSWER)
    fetch(workspace, email="a@acme.com", domain="acme.com")
    CachedAnswer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not fetch(workspace, email="a@acme.com", domain="acme.com").cached
    assert call.call_count == 2


def test_404_is_a_cached_not_found(workspace, rsps, http_settings):
    http_settings()
    call = rsps.get(URL, status=404, json={"error": "not found"})
    facts = fetch(workspace, email="a@nowhere.com", domain="nowhere.com")
    assert facts.company is None and facts.error is None
    assert fetch(workspace, email="a@nowhere.com", domain="nowhere.com").cached
    assert call.call_count == 1 and not CachedAnswer.objects.get().found


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"status": 401, "json": {}}, "refused the credentials (401)"),
        ({"status": 503, "json": {}}, "answered 503"),
        ({"status": 200, "body": "<html>"}, "non-JSON answer"),
        ({"body": requests.ConnectionError("refused")}, "cannot reach the provider"),
    ],
)
def test_failures_are_gaps_and_not_cached(workspace, rsps, http_settings, kwargs, error):
    http_settings()
    rsps.get(URL, **kwargs)
    facts = fetch(workspace, email="a@acme.com", domain="acme.com")
    assert facts.company is None and error in facts.error
    assert CachedAnswer.objects.count() == 0


def test_a_slow_provider_is_cut_off_by_the_time_box(workspace, rsps, http_settings):
    http_settings(timeout_ms=200)

    def slow(request):
        time.sleep(1.0)
        return 200, {}, '{"company": {"name": "Late"}}'

    rsps.add_callback("GET", URL, callback=slow)
    started = time.perf_counter()
    facts = fetch(workspace, email="a@acme.com", domain="acme.com")
    assert time.perf_counter() - started < 0.6
    assert facts.company is None and facts.error == "timeout after 0.2 s"
    assert CachedAnswer.objects.count() == 0
