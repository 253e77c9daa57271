"""No inline styles in the project's templates (issue 11 item 8): looks live in
static/css/, a template names a class. Only a value computed from data may stay
inline, each one listed in ALLOWED with the reason no class can do it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

# (template path relative to the project, the attribute as written): why it stays inline.
ALLOWED = {
    (
        "templates/console/partials/_import_job.html",
        "style=\"width:{% if job.status == 'done' %}100{% else %}{{ job.percent }}{% endif %}%\"",
    ): "the import bar's fill is the job's percent done (0-100, from the job's counts)",
    (
        "templates/console/partials/_explanation.html",
        'style="padding-left:{{ row.indent }}px"',
    ): "a trace row's indent is its nesting depth in pixels (any depth, from the trace)",
}

STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def project_template_dirs() -> list[Path]:
    """templates/ and every project app's templates/ (not the installed packages')."""
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d).resolve() for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [Path(app.path).resolve() / "templates" for app in apps.get_app_configs()]
    venv = Path(sys.prefix).resolve()  # a virtualenv inside the checkout holds packages
    return sorted(
        {d for d in dirs if d.is_dir() and d.is_relative_to(base) and not d.is_relative_to(venv)}
    )


def inline_styles() -> list[tuple[str, int, str]]:
    """Every style attribute as (template path, line, the attribute as written)."""
    base = Path(settings.BASE_DIR).resolve()
    found: list[tuple[str, int, str]] = []
    for folder in project_template_dirs():
        for path in sorted(folder.rglob("*.html")):
            text = path.read_text(encoding="utf-8")
            for match in STYLE_ATTRIBUTE.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append((path.relative_to(base).as_posix(), line, match.group(0).strip()))
    return found


def test_every_app_with_templates_is_walked():
    base = Path(settings.BASE_DIR).resolve()
    walked = {d.relative_to(base).as_posix() for d in project_template_dirs()}
    for expected in (
        "templates",
        "calendars/templates",
        "crm/templates",
        "enrichment/templates",
        "notifications/templates",
    ):
        assert expected in walked


def test_no_template_has_an_inline_style_attribute():
    offending = [
        f"{path}:{line}: {attr}"
        for path, line, attr in inline_styles()
        if (path, attr) not in ALLOWED
    ]
    assert not offending, "Move these to a class in static/css/:\n" + "\n".join(offending)


def test_the_allowed_inline_styles_still_exist():
    found = {(path, attr) for path, _, attr in inline_styles()}
    stale = [f"{path}: {attr}" for path, attr in ALLOWED if (path, attr) not in found]
    assert not stale, "Drop these from ALLOWED (gone or rewritten):\n" + "\n".join(stale)


def test_no_template_has_a_style_element():
    base = Path(settings.BASE_DIR).resolve()
    offending = [
        path.relative_to(base).as_posix()
        for folder in project_template_dirs()
        for path in folder.rglob("*.html")
        if STYLE_ELEMENT.search(path.read_text(encoding="utf-8"))
    ]
    assert not offending, offending
