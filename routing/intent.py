"""Intent detection from the first message (pure).

A deliberately small, explainable keyword model: callers that know better
(the chat widget's own classifier) pass `intent` and it wins. The detected
intent says which keywords it saw, so the trace can show why.
"""

from __future__ import annotations

import re

KEYWORDS = {
    "support": (
        "bug",
        "broken",
        "error",
        "help with",
        "not working",
        "issue",
        "ticket",
        "support",
        "login",
        "password",
        "refund",
        "cancel my",
        "outage",
        "how do i",
    ),
    "job_seeker": (
        "job",
        "career",
        "hiring",
        "position",
        "resume",
        "cv",
        "internship",
        "apply",
        "opening",
        "role at",
    ),
    "partnership": (
        "partner",
        "partnership",
        "reseller",
        "integration partner",
        "affiliate",
        "agency",
        "co-marketing",
        "alliance",
    ),
    "buying": (
        "pricing",
        "price",
        "quote",
        "demo",
        "trial",
        "buy",
        "purchase",
        "plan",
        "seats",
        "license",
        "contract",
        "procurement",
        "enterprise",
        "cost",
        "upgrade",
    ),
}
HIGH_INTENT = ("pricing", "quote", "demo", "buy", "purchase", "contract", "procurement", "seats")

_PATTERNS = {
    kind: [(word, re.compile(r"\b" + re.escape(word) + r"\b")) for word in words]
    for kind, words in KEYWORDS.items()
}


def detect(message: str, *, pages_viewed: int | None = None) -> dict:
    """Return {"type", "score", "source": "detected", "matched": [...]}."""
    text = (message or "").casefold()
    hits = {kind: [w for w, rx in pats if rx.search(text)] for kind, pats in _PATTERNS.items()}
    best = max(hits, key=lambda k: (len(hits[k]), k == "buying"))
    if not hits[best]:
        return {"type": "unknown", "score": "low", "source": "detected", "matched": []}
    score = "medium"
    if best == "buying" and (any(w in HIGH_INTENT for w in hits[best]) or (pages_viewed or 0) >= 5):
        score = "high"
    elif best in ("support", "job_seeker"):
        score = "low"
    return {"type": best, "score": score, "source": "detected", "matched": hits[best]}
