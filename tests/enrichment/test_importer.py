"""The company table: CSV import (all or nothing, numbered bad rows) and the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from enrichment.importer import ImportFailed, import_csv
from enrichment.models import Company
from routing import actions

pytestmark = pytest.mark.django_db

GOOD = (
    "Domain,Name,Industry,Employees,Revenue,Country,HQ City,Tech\n"
    'https://www.Acme.com/about,Acme,Software,"1,200",$50000000,US,Boston,Salesforce; Slack\n'
    "globex.com,Globex,Manufacturing,5400,,US,Springfield,\n"
)


def test_import_creates_companies_and_normalises_values(workspace):
    progress = []
    summary = import_csv(
        workspace, io.StringIO(GOOD), progress=lambda d, t: progress.append((d, t))
    )
    assert (summary.rows, summary.created) == (2, 2)
    acme = Company.objects.get(workspace=workspace, domain="acme.com")
    assert (acme.employees, acme.revenue, acme.hq_city) == (1200, 50_000_000, "Boston")
    assert acme.tech == ["Salesforce", "Slack"]
    assert progress[0] == (0, 2) and progress[-1] == (2, 2)
    assert Company.objects.get(domain="globex.com").as_facts() == {
        "name": "Globex",
        "domain": "globex.com",
        "industry": "Manufacturing",
        "employees": 5400,
        "country": "US",
        "hq_city": "Springfield",
    }


def test_reimport_updates_non_empty_cells_and_keeps_the_rest(workspace):
    import_csv(workspace, io.StringIO(GOOD))
    summary = import_csv(workspace, io.StringIO("domain,employees,name\nacme.com,1300,\n"))
    assert (summary.created, summary.updated) == (0, 1)
    acme = Company.objects.get(domain="acme.com")
    assert (acme.employees, acme.name) == (1300, "Acme")


def test_bad_rows_are_numbered_and_nothing_is_written(workspace):
    text = (
        "domain,name,employees\n"
        "ok.com,Ok,10\n"
        "not a domain,Bad,10\n"
        "two.com,Two,lots\n"
        "ok.com,Again,3\n"
        ",Nameless,1\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_csv(workspace, io.StringIO(text))
    messages = [str(e) for e in failed.value.errors]
    assert messages[0].startswith("line 3: bad domain")
    assert messages[1] == "line 4: employees is not a whole number ≥ 0"
    assert messages[2] == "line 5: duplicate domain ok.com (first on line 2)"
    assert messages[3] == "line 6: missing domain"
    assert Company.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("name,employees\nAcme,3\n", "line 1: there is no domain column"),
        ("domain,employes\nacme.com,3\n", "line 1: unknown column 'employes'"),
        ("domain\n", "line 2: the file has a header but no rows"),
    ],
)
def test_bad_files(workspace, text, message):
    with pytest.raises(ImportFailed) as failed:
        import_csv(workspace, io.StringIO(text))
    assert str(failed.value.errors[0]).startswith(message)
    assert Company.objects.count() == 0


def test_the_command_imports_a_file(workspace, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    call_command("import_companies", str(path), workspace=workspace.slug, stdout=out)
    assert "2 created" in out.getvalue()
    assert Company.objects.filter(workspace=workspace).count() == 2


def test_the_command_refuses_a_bad_file_and_writes_nothing(workspace, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("domain,employees\nacme.com,-3\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_companies", str(path), workspace=workspace.slug, stderr=err)
    assert "line 2:" in err.getvalue()
    assert Company.objects.count() == 0


def test_the_command_shares_import_crms_workspace_choice_and_progress_bar(workspace, tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(GOOD, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_companies", str(path), stdout=out, stderr=err)  # the only workspace
    assert "[##############################] 100% 2/2 rows" in err.getvalue()
    actions.create_workspace("Globex")
    with pytest.raises(CommandError, match="several workspaces: pick one with --workspace"):
        call_command("import_companies", str(path), stdout=io.StringIO(), stderr=io.StringIO())
