"""The words of a decision's trace (pure, no Django): where each company fact came from,
which leaves made a segment fail and what each saw. ``routing.engine`` writes its trace
lines with these (and keeps ``describe_leaf`` and ``source_lines`` importable)."""

from __future__ import annotations

from collections.abc import Mapping

from . import conditions


def source_lines(context: dict) -> list[str]:
    """Trace lines naming the source of each company fact:
    "company.employees = 1,200 (enrichment: local)"."""
    company = context.get("company")
    sources = context.get("sources")
    if not isinstance(company, Mapping) or not isinstance(sources, Mapping):
        return []  # the engine takes any context; only a built one records sources
    lines = []
    for key, value in company.items():
        source = sources.get(f"company.{key}")
        if source is None:
            continue
        if isinstance(value, bool):
            shown = str(value).lower()
        elif isinstance(value, int | float):
            shown = f"{value:,}"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        lines.append(f"company.{key} = {shown} ({source})")
    return lines


def failed_leaves(explanation: dict, negated: bool = False) -> list[str]:
    """The leaves that made a node false, worded for a person."""
    if "group" not in explanation:
        return [describe_leaf(explanation, negated)]
    group = explanation["group"]
    children = explanation.get("children", [])
    if group == "not":
        return [r for c in children for r in failed_leaves(c, not negated)]
    if (group == "all") != negated:
        bad = [c for c in children if c["result"] is negated]
    else:
        bad = children
    return [r for c in bad for r in failed_leaves(c, negated)] or ["no condition held"]


def describe_leaf(leaf: dict, negated: bool = False) -> str:
    """'Company employees > 200 (saw 150)': the condition in words and the value seen."""
    target = conditions.describe_explained_leaf(leaf)
    seen = "missing" if leaf.get("missing") else f"saw {leaf.get('actual')!r}"
    return f"{'NOT ' if negated else ''}{target} ({seen})"


def all_leaves(explanation: dict) -> list[str]:
    if "group" not in explanation:
        return [describe_leaf(explanation)]
    return [line for child in explanation.get("children", []) for line in all_leaves(child)]
