"""The console's CRM page: settings, CSV upload with progress, owner overrides."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.models import CrmImport, CrmSettings, CrmUserMapping, LocalContact
from tests.tasks import run_tasks

from .conftest import url

pytestmark = pytest.mark.django_db

GOOD = (
    "email,first_name,last_name,company,domain,owner_email,lifecycle_stage,status,Plan\n"
    "ana@bigco.com,Ana,Lee,BigCo,bigco.com,dana@acme.test,customer,active,Enterprise\n"
    "bo@bigco.com,Bo,Kim,BigCo,bigco.com,dana@acme.test,lead,new,Starter\n"
)
BAD = (
    "email,first_name,last_name,company,domain,owner_email,lifecycle_stage,status\n"
    "ok@bigco.com,Ok,,BigCo,bigco.com,,,\n"
    "not-an-email,Bad,,BigCo,bigco.com,,,\n"
)


def upload(console, workspace, text):
    return console.post(
        url(workspace, "crm/upload/"),
        {"file": SimpleUploadedFile("contacts.csv", text.encode(), content_type="text/csv")},
    )


def test_upload_imports_in_a_task_with_progress(console, workspace):
    assert upload(console, workspace, GOOD).status_code == 302
    job = CrmImport.objects.get()
    assert job.status == "running" and LocalContact.objects.count() == 0
    run_tasks()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert job.summary["created"] == 2
    assert LocalContact.objects.get(email="ana@bigco.com").custom_fields["Plan"] == "Enterprise"
    partial = console.get(url(workspace, f"crm/imports/{job.id}/")).content.decode()
    assert "Imported" in partial and "2/2" in partial and "hx-trigger" not in partial
    assert "2 rows: 2 created, 0 updated, 0 unchanged; 1 accounts created." in partial


def test_a_bad_row_imports_nothing_and_names_the_line(console, workspace):
    upload(console, workspace, BAD)
    run_tasks()
    job = CrmImport.objects.get()
    assert job.status == "failed" and LocalContact.objects.count() == 0
    assert any(e.startswith("line 3:") for e in job.errors)
    assert (job.total, job.done) == (2, 0)  # the rows read, nothing written
    page = console.get(url(workspace, "crm/")).content.decode()
    assert "line 3:" in page and "Nothing imported" in page
    assert "2 rows read, 1 error: nothing imported (all or nothing)." in page


def test_a_non_utf8_file_is_refused(console, workspace):
    response = console.post(
        url(workspace, "crm/upload/"),
        {"file": SimpleUploadedFile("x.csv", "é".encode("latin-1"), content_type="text/csv")},
    )
    assert response.status_code == 400 and "not UTF-8" in response.content.decode()
    assert not CrmImport.objects.exists()


def test_settings_are_saved_and_bad_values_refused(console, workspace):
    response = console.post(
        url(workspace, "crm/settings/"),
        {"backend": "local", "credentials_source": "database", "lookup_timeout": "99"},
    )
    assert response.status_code == 400
    assert not CrmSettings.objects.filter(workspace=workspace).exists()
    response = console.post(
        url(workspace, "crm/settings/"),
        {"backend": "local", "credentials_source": "database", "lookup_timeout": "2.5",
         "rep_owner_field": "Owner (Knock)"},
    )  # fmt: skip
    assert response.status_code == 302
    saved = CrmSettings.objects.get(workspace=workspace)
    assert saved.lookup_timeout == 2.5 and saved.field_names()["rep_owner"] == "Owner (Knock)"


def test_owner_override(console, workspace, make_rep):
    rep = make_rep("Dana")
    response = console.post(
        url(workspace, "crm/mappings/"), {"email": "boss@acme.test", "rep": rep.id}
    )
    assert response.status_code == 302
    assert CrmUserMapping.objects.get(workspace=workspace).rep == rep
    response = console.post(url(workspace, "crm/mappings/"), {"rep": rep.id})
    assert response.status_code == 400 and CrmUserMapping.objects.count() == 1
