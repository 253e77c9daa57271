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

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from routing import cache

from . import domains
from .models import Company

COLUMNS = ("domain", "name", "industry", "employees", "revenue", "country", "hq_city", "tech")
MAX_LENGTHS = {"name": 255, "industry": 120, "country": 64, "hq_city": 120}
BATCH = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} bad row(s); nothing was imported")


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_csv(workspace, fileobj, *, progress: Progress | None = None) -> ImportSummary:
    """Raises ImportFailed (every bad row) and writes nothing if any row is bad."""
    rows, errors = parse(fileobj)
    if errors:
        raise ImportFailed(errors)
    return import_rows(workspace, rows, progress=progress)


def import_rows(workspace, rows: list[dict], *, progress: Progress | None = None) -> ImportSummary:
    """Write parsed rows ({column: value}, only non-empty values) in one transaction."""
    progress = progress or (lambda done, total: None)
    try:
        return _write(workspace, rows, progress)
    except IntegrityError as exc:
        raise ImportFailed(
            [RowError(0, "the table changed during the import; nothing was imported, run it again")]
        ) from exc


def _key(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _read_text(fileobj) -> tuple[str | None, RowError | None]:
    data = fileobj.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, RowError(line, "the file is not UTF-8 text (save it as CSV UTF-8)")


def parse(fileobj) -> tuple[list[dict], list[RowError]]:
    """Validate the whole file: (rows, errors). Does not touch the database."""
    text, error = _read_text(fileobj)
    if error is not None:
        return [], [error]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "the file is empty")]
    except csv.Error as exc:
        return [], [RowError(1, f"unreadable CSV: {exc}")]
    columns: list[str | None] = []
    problems = []
    for position, raw in enumerate(header, start=1):
        key = _key(raw) if raw.strip() else None
        if key is not None and key not in COLUMNS:
            problems.append(f"unknown column {raw.strip()!r} (known: {', '.join(COLUMNS)})")
        elif key is not None and key in columns:
            problems.append(f"column {raw.strip()!r} appears twice (column {position})")
        columns.append(key)
    if "domain" not in columns:
        problems.append("there is no domain column")
    if problems:
        return [], [RowError(1, p) for p in problems]

    rows: list[dict] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(line, f"unreadable CSV: {exc}"))
            break
        this_line, line = line, reader.line_num + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        row, row_problems = parse_row(cells, columns)
        if row.get("domain"):
            first = first_line.setdefault(row["domain"], this_line)
            if first != this_line:
                row_problems.append(f"duplicate domain {row['domain']} (first on line {first})")
        if row_problems:
            errors.append(RowError(this_line, "; ".join(row_problems)))
        else:
            rows.append(row)
    if not rows and not errors:
        errors.append(RowError(2, "the file has a header but no rows"))
    return rows, errors


def parse_row(cells: list[str], columns: list[str | None]) -> tuple[dict, list[str]]:
    problems: list[str] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problems.append(f"{len(cells)} values for {len(columns)} columns")
    raw = {}
    for position, key in enumerate(columns):
        value = cells[position].strip() if position < len(cells) else ""
        if key is None:
            if value:
                problems.append(f"a value in column {position + 1}, which has no name")
            continue
        if value:
            raw[key] = value
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


def _count(text: str) -> int | None:
    digits = text.replace(",", "").replace("_", "").replace(" ", "").removeprefix("$")
    if not digits.isdigit():
        return None
    value = int(digits)
    return value if value < 2**63 else None


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


FIELDS = [c for c in COLUMNS if c != "domain"]


def _write(workspace, rows: list[dict], progress: Progress) -> ImportSummary:
    summary = ImportSummary(rows=len(rows))
    total = len(rows)
    progress(0, total)
    with transaction.atomic():
        existing: dict[str, Company] = {}
        for chunk in _chunks([r["domain"] for r in rows], BATCH):
            for company in Company.objects.filter(workspace=workspace, domain__in=chunk):
                existing[company.domain] = company
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
        done = summary.unchanged
        for batch in _chunks(new, BATCH):
            Company.objects.bulk_create(batch)
            done += len(batch)
            progress(done, total)
        for batch in _chunks(changed, BATCH):
            Company.objects.bulk_update(batch, [*FIELDS, "updated_at"])
            done += len(batch)
            progress(done, total)
        summary.created, summary.updated = len(new), len(changed)
        if new or changed:
            cache.touch(workspace)  # routing caches the table's answers (enrichment.facts)
    progress(total, total)
    return summary
