"""CSV imports, all or nothing: what the slices' importers share (crm's contacts,
enrichment's companies).

Here (and not in knock/) because it is the base both slices already import
(Workspace, the console's access check), import-linter checks it, and knock/ is
imported by routing (admin_actions), so code that needs routing's models there
would make the two import each other. Nothing here knows a slice.

- `parse_csv(fileobj, header=, row=, unique=)`: read the whole file (UTF-8, a BOM
  is dropped), every bad row as a `RowError` with its line number (the header is
  line 1); blank lines are skipped; a key seen twice is an error on its second line.
  `parse_or_fail` raises `ImportFailed` instead, with how many rows it read.
- `import_all_or_nothing(write, rows, progress=, conflict=)`: one transaction, the
  progress callback at 0, per batch and at the end; an IntegrityError (another
  writer meanwhile) becomes `ImportFailed` with nothing written.
- `write_batches`: the new and changed rows, in batches, counted into the summary.
- `jobs` (the abstract `ImportJob` model, `start_job`, `run_job`: the task body),
  `console` (upload form, upload and progress views) and `command` (the manage.py
  base) are the console's and the shell's side of it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportFailed(Exception):
    """Nothing was imported; `errors` lists every bad row (line, message), and
    `rows_read` how many data rows the file had when it was read to the end
    (None when the failure came later, from the database)."""

    def __init__(self, errors: list[RowError], *, rows_read: int | None = None):
        self.errors = errors
        self.rows_read = rows_read
        super().__init__(f"{len(errors)} bad row(s); nothing was imported")


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def no_progress(done: int, total: int) -> None:
    """The progress callback when the caller gives none."""


# ------------------------------------------------------------------------- reading


def read_text(fileobj) -> tuple[str | None, RowError | None]:
    """The file's text (str or UTF-8 bytes, a BOM dropped), or the line that is not UTF-8."""
    data = fileobj.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, RowError(line, "the file is not UTF-8 text (save it as CSV UTF-8)")


def column_key(header: str) -> str:
    """A header cell as a column name: "First Name" and "first-name" are first_name."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def parse_csv(
    fileobj,
    *,
    header: Callable[[list[str]], tuple[Any, list[str]]],
    row: Callable[[int, list[str], Any], tuple[Any, list[str]]],
    unique: tuple[str, Callable[[Any], str]],
) -> tuple[list, list[RowError]]:
    """Validate the whole file: (rows, errors). Does not touch the database.

    `header(cells)` returns (columns, problems); `row(line, cells, columns)` returns
    (row, problems); `unique` is (what, key of a row): a key on two rows is an error.
    """
    rows, errors, _ = _parse(fileobj, header, row, unique)
    return rows, errors


def parse_or_fail(fileobj, **spec) -> list:
    """`parse_csv`'s rows, or ImportFailed with every error and how many rows were read."""
    rows, errors, read = _parse(fileobj, spec["header"], spec["row"], spec["unique"])
    if errors:
        raise ImportFailed(errors, rows_read=read)
    return rows


def _parse(fileobj, header, row, unique) -> tuple[list, list[RowError], int]:
    """(rows, errors, how many non-blank data rows were read)."""
    text, error = read_text(fileobj)
    if error is not None:
        return [], [error], 0
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader)
    except StopIteration:
        return [], [RowError(1, "the file is empty")], 0
    except csv.Error as exc:
        return [], [RowError(1, f"unreadable CSV: {exc}")], 0
    columns, problems = header(first)
    if problems:
        return [], [RowError(1, p) for p in problems], 0

    what, key_of = unique
    rows: list = []
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    read = 0
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
            continue  # blank line
        read += 1
        parsed, row_problems = row(this_line, cells, columns)
        key = key_of(parsed)
        if key:
            seen = first_line_of.setdefault(key, this_line)
            if seen != this_line:
                row_problems.append(f"duplicate {what} {key} (first on line {seen})")
        if row_problems:
            errors.append(RowError(this_line, "; ".join(row_problems)))
        else:
            rows.append(parsed)
    if not rows and not errors:
        errors.append(RowError(2, "the file has a header but no rows"))
    return rows, errors, read


def cell_values(cells: list[str], columns: list) -> tuple[list[str], list[str]]:
    """(each named column's stripped value, problems): values beyond the last column
    or under a column with no name (None in `columns`) are problems."""
    problems: list[str] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problems.append(f"{len(cells)} values for {len(columns)} columns")
    values: list[str] = []
    for position, spec in enumerate(columns):
        value = cells[position].strip() if position < len(cells) else ""
        if spec is None and value:
            problems.append(f"a value in column {position + 1}, which has no name")
        values.append(value)
    return values, problems


# ------------------------------------------------------------------------- writing


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_by(queryset, field: str, keys: Iterable[str], *, chunk: int) -> dict:
    """{key: object} of `queryset`'s rows whose `field` is in `keys`, `chunk` keys per IN."""
    found = {}
    for part in chunks(list(keys), chunk):
        for obj in queryset.filter(**{f"{field}__in": part}):
            found[getattr(obj, field)] = obj
    return found


def import_all_or_nothing(
    write: Callable[[list, Progress], ImportSummary],
    rows: list,
    *,
    progress: Progress | None = None,
    conflict: str,
) -> ImportSummary:
    """`write(rows, progress)` in one transaction; progress at 0 before and at the end after.

    `conflict` is the error when the database refuses a row that another writer
    added meanwhile (an IntegrityError); it may name the error as {exc}.
    """
    progress = progress or no_progress
    total = len(rows)
    try:
        progress(0, total)
        with transaction.atomic():
            summary = write(rows, progress)
    except IntegrityError as exc:
        raise ImportFailed([RowError(0, conflict.format(exc=exc))]) from exc
    progress(total, total)
    return summary


def write_batches(
    summary: ImportSummary,
    progress: Progress,
    *,
    new: list,
    changed: list,
    insert: Callable[[list], None],
    update: Callable[[list], None],
    batch: int,
) -> None:
    """Insert `new` and update `changed` in batches of `batch`, progress after each
    (the unchanged rows count as done); the counts go into `summary`."""
    done = summary.unchanged
    for write, objs in ((insert, new), (update, changed)):
        for part in chunks(objs, batch):
            write(part)
            done += len(part)
            progress(done, summary.rows)
    summary.created, summary.updated = len(new), len(changed)
