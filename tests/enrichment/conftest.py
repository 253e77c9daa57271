import pytest
import responses

from enrichment.models import EnrichmentSettings


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def http_settings(workspace):
    def make(**fields):
        values = {
            "provider": "http",
            "http_url_template": "https://enrich.test/v1/companies?domain={domain}",
            "http_secret_header": "Authorization",
            "http_mapping": {
                "name": "company.name",
                "employees": "company.metrics.employees",
                "industry": "company.category.industry",
                "country": "company.geo.countryCode",
                "tech": "company.tech",
            },
            **fields,
        }
        settings = EnrichmentSettings(workspace=workspace, **values)
        settings.http_secret = "Bearer sk_test_123"
        settings.save()
        return settings

    return make
