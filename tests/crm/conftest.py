import pytest
import responses

from crm.backends.base import OWNER_EMAILS
from crm.clients.hubspot import forget_rate_limits
from crm.clients.salesforce import forget_sessions
from crm.models import CrmSettings


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Sessions, rate-limit windows and owner emails are process-wide by design."""
    OWNER_EMAILS.clear()
    forget_sessions()
    forget_rate_limits()
    yield
    OWNER_EMAILS.clear()
    forget_sessions()
    forget_rate_limits()


@pytest.fixture
def rsps():
    # assert_all_requests_are_fired=False: a fake registers every endpoint it can serve.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def crm_settings(workspace):
    def make(backend="local", credentials=None, **fields):
        settings = CrmSettings(workspace=workspace, backend=backend, **fields)
        settings.credentials = credentials or {}
        settings.save()
        return settings

    return make


@pytest.fixture
def make_rep(workspace):
    """Like the suite's make_rep, but the email can be chosen (owners map by email)."""
    from routing import actions

    counter = {"n": 0}

    def make(name=None, email=None, **fields):
        counter["n"] += 1
        n = counter["n"]
        return actions.create_rep(
            workspace, name=name or f"Rep {n}", email=email or f"rep{n}@acme.test", **fields
        )

    return make
