"""signals.engagement_score (SPEC 6): 0-100 from recency and volume of the lead's actions.

Pure. The formula, each part capped so no single habit dominates:

    prior chats     12 per earlier chat, at most 36
    pages viewed     3 per page this session, at most 24
    time on site     1 per 30 s this session, at most 15
    recency         15 if last seen within 7 days, 8 within 30 days, else 0
    returning       10 if the visitor is returning

The sum is capped at 100. A first-time visitor who reads 4 pages for 2
minutes scores 16; a lead back within the week for a third chat after 8
pages scores 24 + 24 + 15 + 10 + ... = 80+.
"""

from __future__ import annotations


def engagement_score(
    *,
    prior_chats: int,
    pages_viewed: int | None,
    time_on_site: int | None,
    days_since_last_seen: float | None,
    is_returning: bool,
) -> int:
    score = min(36, 12 * max(0, prior_chats))
    score += min(24, 3 * max(0, pages_viewed or 0))
    score += min(15, max(0, time_on_site or 0) // 30)
    if days_since_last_seen is not None:
        score += 15 if days_since_last_seen <= 7 else 8 if days_since_last_seen <= 30 else 0
    score += 10 if is_returning else 0
    return int(min(100, score))
