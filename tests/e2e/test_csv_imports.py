"""The CSV uploads of the CRM and Enrichment pages in the browser (issue 11: one
upload view and one progress partial for both): the job shows while it runs,
polls itself, and ends as "Imported" with its summary or "Nothing imported" with
its counts and the bad lines."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.tasks import run_tasks

from .conftest import screenshot

CONTACTS = (
    "email,first_name,company,domain\n"
    "ana@bigco.com,Ana,BigCo,bigco.com\n"
    "bo@bigco.com,Bo,BigCo,bigco.com\n"
)
COMPANIES = "domain,name,employees\nacme.com,Acme,1200\nbad domain,Bad,3\nglobex.com,Globex,x\n"


def upload(page, path: str, name: str, text: str):
    page.goto(path)
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Upload and import").click()
    job = page.locator(".import-job").first
    expect(job).to_have_attribute("data-status", "running")
    expect(job.get_by_text("Importing", exact=True)).to_be_visible()
    return job


def test_a_contacts_upload_polls_until_imported(logged_in_page, acme):
    page = logged_in_page
    job = upload(page, f"{acme.ws}/crm/", "contacts.csv", CONTACTS)
    run_tasks()
    expect(job).to_have_attribute("data-status", "done")  # the partial polled itself
    expect(job.get_by_text("Imported", exact=True)).to_be_visible()
    expect(job).to_contain_text("2 rows: 2 created, 0 updated, 0 unchanged; 1 accounts created.")
    expect(job.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    screenshot(page, "crm-import-done.png")


def test_a_bad_companies_upload_shows_its_counts_and_lines(logged_in_page, acme):
    page = logged_in_page
    job = upload(page, f"{acme.ws}/enrichment/", "companies.csv", COMPANIES)
    run_tasks()
    expect(job).to_have_attribute("data-status", "failed")
    expect(job.get_by_text("Nothing imported", exact=True)).to_be_visible()
    expect(job.get_by_test_id("import-counts")).to_have_text(
        "3 rows read, 2 errors: nothing imported (all or nothing)."
    )
    errors = job.get_by_test_id("import-errors")
    expect(errors).to_contain_text("line 3: bad domain")
    expect(errors).to_contain_text("line 4: employees is not a whole number")
    expect(job.get_by_role("progressbar")).to_have_count(0)
    screenshot(page, "enrichment-import-failed.png")
