"""CSV import: all or nothing, line-numbered errors, merge rules, bulk speed, the command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.importer import ImportFailed, import_csv
from crm.models import LocalAccount, LocalContact
from routing import actions

HEADER = "email,first_name,last_name,company,domain,owner_email,lifecycle_stage,status"


def csv_file(*lines, binary=False):
    text = "\n".join(lines) + "\n"
    return io.BytesIO(text.encode()) if binary else io.StringIO(text)


def errors_of(workspace, *lines):
    with pytest.raises(ImportFailed) as info:
        import_csv(workspace, csv_file(*lines))
    return [str(e) for e in info.value.errors]


def test_import_creates_contacts_accounts_and_custom_fields(workspace):
    summary = import_csv(
        workspace,
        csv_file(
            HEADER + ",Plan,Seats",
            "jane@acme.com,Jane,Doe,Acme,acme.com,Sam@Knock.test,Customer,active,Gold,12",
            "joe@acme.com,Joe,,Acme Corp,https://www.acme.com/about,,lead,,,",
            "kim@gmail.com,Kim,Lee,,,,subscriber,,,",
            "lou@initech.com,Lou,,,,,,,,",
        ),
    )
    assert (summary.rows, summary.created, summary.updated) == (4, 4, 0)
    assert (summary.accounts_created, summary.accounts_updated, summary.accounts) == (2, 0, 2)

    jane = LocalContact.objects.get(workspace=workspace, email="jane@acme.com")
    assert (jane.first_name, jane.last_name, jane.company) == ("Jane", "Doe", "Acme")
    assert jane.owner_email == "sam@knock.test"
    assert jane.lifecycle_stage == "customer" and jane.status == "active"
    assert jane.custom_fields == {"Plan": "Gold", "Seats": "12"}

    acme = LocalAccount.objects.get(workspace=workspace, domain="acme.com")
    assert acme.name == "Acme" and acme.owner_email == "sam@knock.test"
    joe = LocalContact.objects.get(workspace=workspace, email="joe@acme.com")
    assert joe.account == acme and joe.custom_fields == {}  # URL normalised to the same domain

    # No domain column value: the email's domain, unless it is a personal mailbox.
    assert LocalContact.objects.get(email="kim@gmail.com").account is None
    initech = LocalContact.objects.get(email="lou@initech.com").account
    assert initech.domain == "initech.com" and initech.name == "initech.com"


def test_headers_are_matched_loosely_and_bytes_with_bom_work(workspace):
    data = "\ufeffEmail,First Name,Last-Name,Lifecycle Stage\nA@B.io,Ann,Bee,MQL\n"
    summary = import_csv(workspace, io.BytesIO(data.encode("utf-8")))
    assert summary.created == 1
    ann = LocalContact.objects.get(email="a@b.io")
    assert (ann.first_name, ann.last_name, ann.lifecycle_stage) == ("Ann", "Bee", "mql")


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(workspace):
    errors = errors_of(
        workspace,
        HEADER,
        "ok@acme.com,Ok,,,,,,",  # line 2: fine
        ",No,Email,,,,,",  # line 3
        "not-an-email,,,,,,,",  # line 4
        "ok@acme.com,Again,,,,,,",  # line 5: duplicate of line 2
        "",  # line 6: blank, ignored
        "x@acme.com,,,,not a domain,,,",  # line 7
        "y@acme.com,,,,,owner-at-nowhere,,",  # line 8
        "z@acme.com,,,,,,,,surplus",  # line 9
        "OK@ACME.COM,Case,,,,,,",  # line 10: same email, other case
    )
    assert errors == [
        "line 3: missing email",
        "line 4: bad email 'not-an-email'",
        "line 5: duplicate email ok@acme.com (first on line 2)",
        "line 7: bad domain 'not a domain'",
        "line 8: bad owner_email 'owner-at-nowhere'",
        "line 9: 9 values for 8 columns",
        "line 10: duplicate email ok@acme.com (first on line 2)",
    ]
    assert not LocalContact.objects.exists()
    assert not LocalAccount.objects.exists()


def test_a_failed_import_says_how_many_rows_it_read(workspace):
    # For the console's "N rows read, M errors" (blank lines are not rows).
    with pytest.raises(ImportFailed) as info:
        import_csv(workspace, csv_file(HEADER, "ok@acme.com,,,,,,,", "", "bad,,,,,,,", "c@d.io"))
    assert info.value.rows_read == 3 and len(info.value.errors) == 1
    with pytest.raises(ImportFailed) as info:
        import_csv(workspace, csv_file("first_name", "Ana"))
    assert info.value.rows_read == 0  # the header was refused: no row was read


def test_line_numbers_count_physical_lines_of_quoted_multiline_cells(workspace):
    errors = errors_of(
        workspace,
        "email,Notes",
        'a@acme.com,"first line',
        'second line"',
        "bad-email,x",
    )
    assert errors == ["line 4: bad email 'bad-email'"]


def test_too_long_values_are_row_errors_not_database_errors(workspace):
    errors = errors_of(workspace, "email,first_name", "a@acme.com," + "x" * 151)
    assert errors == ["line 2: first_name is longer than 150 characters"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["first_name,last_name", "Ann,Bee"], ["line 1: there is no email column"]),
        (
            ["email,Email", "a@b.io,a@b.io"],
            ["line 1: column 'Email' appears twice (columns 1 and 2)"],
        ),
        ([""], ["line 1: the file is empty"]),
        (["email"], ["line 2: the file has a header but no rows"]),
        (["email,,Plan", "a@b.io,oops,Pro"], ["line 2: a value in column 2, which has no name"]),
    ],
)
def test_header_problems(workspace, lines, expected):
    if lines == [""]:
        with pytest.raises(ImportFailed) as info:
            import_csv(workspace, io.StringIO(""))
        assert [str(e) for e in info.value.errors] == expected
        return
    assert errors_of(workspace, *lines) == expected


def test_not_utf8_is_reported_with_its_line(workspace):
    data = b"email,first_name\na@b.io,Ann\nb@b.io,Ren\xe9\n"
    with pytest.raises(ImportFailed) as info:
        import_csv(workspace, io.BytesIO(data))
    assert [str(e) for e in info.value.errors] == [
        "line 3: the file is not UTF-8 text (save it as CSV UTF-8)"
    ]


def test_reimport_updates_without_erasing(workspace):
    import_csv(
        workspace,
        csv_file(
            "email,first_name,status,Plan", "jane@acme.com,Jane,new,Gold", "joe@acme.com,Joe,,"
        ),
    )
    jane = LocalContact.objects.get(email="jane@acme.com")
    jane.custom_fields["Knock: Rep Owner"] = "Sam"  # a write-back since the first import
    jane.save()
    account = LocalAccount.objects.get(domain="acme.com")
    account.name = "Acme Holdings"
    account.save()

    summary = import_csv(
        workspace,
        csv_file(
            "email,first_name,company,status,Plan",
            "jane@acme.com,,Acme,working,",  # empty cells keep what is stored
            "joe@acme.com,Joe,,,",  # nothing new: unchanged
            "new@acme.com,New,,,",
        ),
    )
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    assert (summary.accounts_created, summary.accounts_updated) == (0, 0)
    jane.refresh_from_db()
    assert jane.first_name == "Jane" and jane.status == "working" and jane.company == "Acme"
    assert jane.custom_fields == {"Plan": "Gold", "Knock: Rep Owner": "Sam"}
    account.refresh_from_db()
    assert account.name == "Acme Holdings"  # a contact file never renames an account


def test_import_is_scoped_to_the_workspace(workspace):
    other, _ = actions.create_workspace("Globex")
    LocalContact.objects.create(workspace=other, email="jane@acme.com", first_name="Other")
    summary = import_csv(workspace, csv_file("email,first_name", "jane@acme.com,Jane"))
    assert summary.created == 1
    assert LocalContact.objects.get(workspace=other).first_name == "Other"


def test_progress_callback(workspace):
    calls = []
    lines = ["email"] + [f"p{i}@acme.com" for i in range(2500)]
    import_csv(
        workspace, csv_file(*lines), progress=lambda done, total: calls.append((done, total))
    )
    assert calls[0] == (0, 2500) and calls[-1] == (2500, 2500)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(calls) >= 4  # one per written batch


def _rows(n, first_name="First"):
    return [HEADER + ",Plan"] + [
        f"person{i}@company{i % 5000}.com,{first_name}{i},Last{i},Company {i % 5000},,"
        f"owner{i % 7}@knock.test,lead,new,P{i % 3}"
        for i in range(n)
    ]


def test_bulk_queries_do_not_grow_per_row(workspace, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        summary = import_csv(workspace, csv_file(*_rows(3000)))
    assert summary.created == 3000
    with django_assert_max_num_queries(40):
        summary = import_csv(workspace, csv_file(*_rows(3000, first_name="Renamed")))
    assert summary.updated == 3000
    assert LocalContact.objects.get(email="person7@company7.com").first_name == "Renamed7"


def test_fifty_thousand_rows_in_batches(workspace):
    """50,000 rows import and re-import in batches: the statements run do not grow
    with the rows (timing belongs in `make bench`, not in a test)."""
    data = csv_file(*_rows(50_000), binary=True)
    with CaptureQueriesContext(connection) as created:
        summary = import_csv(workspace, data)
    assert summary.created == 50_000 and summary.accounts_created == 5000
    assert LocalContact.objects.filter(workspace=workspace).count() == 50_000
    assert LocalContact.objects.filter(account__isnull=False).count() == 50_000

    data = csv_file(*_rows(50_000, first_name="Changed"), binary=True)
    with CaptureQueriesContext(connection) as updated:
        summary = import_csv(workspace, data)
    assert summary.updated == 50_000
    assert LocalContact.objects.filter(first_name__startswith="Changed").count() == 50_000
    # One statement per row would be 50,000; batches of rows keep it to a few hundred.
    assert len(created) < 500 and len(updated) < 500, (len(created), len(updated))


# --------------------------------------------------------------------------- command


def test_command_imports_with_a_progress_bar(workspace, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("email,first_name\n" + "".join(f"c{i}@acme.com,C{i}\n" for i in range(50)))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_crm", str(path), "--workspace", workspace.slug, stdout=out, stderr=err)
    assert "Imported 50 rows into acme-inc: 50 contacts created" in out.getvalue()
    assert "[##############################] 100% 50/50 rows" in err.getvalue()
    assert "0% 0/50 rows" in err.getvalue()
    assert LocalContact.objects.count() == 50


def test_command_reports_bad_rows_and_imports_nothing(workspace, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("email\ngood@acme.com\nbroken\n\ngood@acme.com\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 bad row\(s\) in .*; nothing was imported"):
        call_command("import_crm", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 3: bad email 'broken'" in err.getvalue()
    assert "line 5: duplicate email good@acme.com (first on line 2)" in err.getvalue()
    assert not LocalContact.objects.exists()


def test_command_needs_a_workspace_when_there_are_several(workspace, tmp_path):
    actions.create_workspace("Globex")
    path = tmp_path / "c.csv"
    path.write_text("email\na@b.io\n")
    with pytest.raises(CommandError, match="several workspaces"):
        call_command("import_crm", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="no workspace with slug 'nope'"):
        call_command("import_crm", str(path), "--workspace", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_crm", str(tmp_path / "missing.csv"), "--workspace", workspace.slug)
