"""Company table CSV import, all or nothing.

Columns: domain (required), name, industry, employees, revenue, country,
hq_city, tech (matched case-insensitively; "HQ City" works; tech is a list
separated by ";", "," or "|"). A column we do not know is an error (a typo
such as "employes" must not import silently without its data). Every bad row
is reported with its line number (the header is line 1) and nothing is
written. A domain already in the table is updated: non-empty cells replace
its values, empty cells keep them.
"""

from __future__ import annotations

import re

from routing import cache, csv_import
from routing.csv_import import ImportFailed, ImportSummary, Progress, RowError, existing_by

from . import domains
from .models import Company

__all__ = ["ImportFailed", "ImportSummary", "RowError", "import_csv", "import_rows", "parse"]

COLUMNS = ("domain", "name", "industry", "employees", "revenue", "country", "hq_city", "tech")
FIELDS = [c for c in COLUMNS if c != "domain"]
MAX_LENGTHS = {"name": 255, "industry": 120, "country": 64, "hq_city": 120}
BATCH = 500


def import_csv(workspace, fileobj, *, progress: Progress | None = None) -> ImportSummary:
    """Raises ImportFailed (every bad row) and writes nothing if any row is bad."""
    return import_rows(workspace, csv_import.parse_or_fail(fileobj, **_FORMAT), progress=progress)


def import_rows(workspace, rows: list[dict], *, progress: Progress | None = None) -> ImportSummary:
    """Write parsed rows ({column: value}, only non-empty values) in one transaction."""
    return csv_import.import_all_or_nothing(
        lambda rows, progress: _write(workspace, rows, progress),
        rows,
        progress=progress,
        conflict="the table changed during the import; nothing was imported, run it again",
    )


def parse(fileobj) -> tuple[list[dict], list[RowError]]:
    """Validate the whole file: (rows, errors). Does not touch the database."""
    return csv_import.parse_csv(fileobj, **_FORMAT)


def _columns(header: list[str]) -> tuple[list[str | None], list[str]]:
    columns: list[str | None] = []
    problems = []
    for position, raw in enumerate(header, start=1):
        key = csv_import.column_key(raw) if raw.strip() else None
        if key is not None and key not in COLUMNS:
            problems.append(f"unknown column {raw.strip()!r} (known: {', '.join(COLUMNS)})")
        elif key is not None and key in columns:
            problems.append(f"column {raw.strip()!r} appears twice (column {position})")
        columns.append(key)
    if "domain" not in columns:
        problems.append("there is no domain column")
    return columns, problems


def parse_row(cells: list[str], columns: list[str | None]) -> tuple[dict, list[str]]:
    values, problems = csv_import.cell_values(cells, columns)
    raw = {key: value for key, value in zip(columns, values, strict=True) if key and value}
    row: dict = {}
    domain = domains.normalize(raw.pop("domain", ""))
    if not domain:
        problems.append("missing domain")
    elif not domains.is_valid(domain):
        problems.append(f"bad domain {domain!r}")
    else:
        row["domain"] = domain
    for key in ("employees", "revenue"):
        if key in raw:
            number = _count(raw.pop(key))
            if number is None:
                problems.append(f"{key} is not a whole number ≥ 0")
            else:
                row[key] = number
    if "tech" in raw:
        row["tech"] = [t.strip() for t in re.split(r"[;,|]", raw.pop("tech")) if t.strip()]
    for key, value in raw.items():
        if len(value) > MAX_LENGTHS[key]:
            problems.append(f"{key} is longer than {MAX_LENGTHS[key]} characters")
        row[key] = value
    return row, problems


_FORMAT = {
    "header": _columns,
    "row": lambda line, cells, columns: parse_row(cells, columns),
    "unique": ("domain", lambda row: row.get("domain")),
}


def _count(text: str) -> int | None:
    digits = text.replace(",", "").replace("_", "").replace(" ", "").removeprefix("$")
    if not digits.isdigit():
        return None
    value = int(digits)
    return value if value < 2**63 else None


def _write(workspace, rows: list[dict], progress: Progress) -> ImportSummary:
    """Inside the import's transaction: new domains inserted, known ones updated."""
    summary = ImportSummary(rows=len(rows))
    existing = existing_by(
        Company.objects.filter(workspace=workspace),
        "domain",
        [r["domain"] for r in rows],
        chunk=BATCH,
    )
    new, changed = [], []
    for row in rows:
        company = existing.get(row["domain"])
        if company is None:
            new.append(Company(workspace=workspace, **row))
            continue
        dirty = False
        for key in FIELDS:
            if key in row and getattr(company, key) != row[key]:
                setattr(company, key, row[key])
                dirty = True
        if dirty:
            changed.append(company)
        else:
            summary.unchanged += 1
    csv_import.write_batches(
        summary,
        progress,
        new=new,
        changed=changed,
        insert=Company.objects.bulk_create,
        update=lambda batch: Company.objects.bulk_update(batch, [*FIELDS, "updated_at"]),
        batch=BATCH,
    )
    if new or changed:
        cache.touch(workspace)  # routing caches the table's answers (enrichment.facts)
    return summary
