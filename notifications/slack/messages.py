"""Slack message bodies (Block Kit), built by pure functions from plain dicts.

`lead` below is `lead_info(...)`: the decision's payload plus the bits of
context a rep needs at a glance. Snapshot tests pin every body.
"""

from __future__ import annotations

JOIN_ACTION = "knock_join"
CLOSE_ACTION = "knock_close"


def _esc(value) -> str:
    """Slack's mrkdwn escaping: lead-supplied text must not become <!channel>, <@U…> or links."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _who(lead: dict) -> str:
    name = _esc(lead["lead"].get("name") or lead["lead"]["email"])
    company = lead.get("company")
    return f"{name} ({_esc(company)})" if company else name


def _fields(lead: dict) -> list[dict]:
    assignee = lead["assignee"]
    via = f" via pool {assignee['pool']['name']}" if assignee.get("pool") else ""
    segment = (lead.get("segment") or {}).get("name") or {
        "crm_owner_first": "CRM owner first",
        "last_resort": "workspace default",
    }.get(lead.get("via"), "-")
    intent = lead.get("intent") or {}
    rows = [
        ("Lead", f"{lead['lead']['email']}"),
        ("Company", lead.get("company") or "-"),
        ("Intent", f"{intent.get('type') or 'unknown'} ({intent.get('score') or '-'})"),
        ("Link", (lead.get("link") or {}).get("name") or "-"),
        ("Segment", f"{segment} · {lead['rule']['name']} v{lead['rule']['version']}"),
        ("Assigned to", f"{assignee['name']}{via}"),
    ]
    return [{"type": "mrkdwn", "text": f"*{label}*\n{_esc(value)}"} for label, value in rows]


def _close_button(chat_id: int) -> dict:
    return {
        "type": "actions",
        "block_id": f"knock_close_{chat_id}",
        "elements": [
            {
                "type": "button",
                "action_id": CLOSE_ACTION,
                "text": {"type": "plain_text", "text": "Close"},
                "value": str(chat_id),
            }
        ],
    }


def lead_alert(lead: dict, decision_url: str, chat_id: int | None = None) -> dict:
    """The monitoring-channel post; it becomes the lead's thread. With `chat_id`, a
    Close button ends the chat (frees the owner's capacity)."""
    text = f"New lead: {_who(lead)} → {_esc(lead['assignee']['name'])}"
    message = lead.get("message")
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":incoming_envelope: *{text}*"}},
        {"type": "section", "fields": _fields(lead)},
    ]
    if message:
        quoted = "\n".join("> " + _esc(line) for line in message[:500].splitlines())
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted}})
    if chat_id is not None:
        blocks.append(_close_button(chat_id))
    blocks.append(_context(f"Reply in this thread to answer. <{decision_url}|Why this assignee?>"))
    return {"text": text, "blocks": blocks}


def closed_alert(lead: dict, decision_url: str, by: str) -> dict:
    """The lead alert once the chat is closed: the Close button gives way to who closed it."""
    body = lead_alert(lead, decision_url)
    body["blocks"].insert(-1, _context(f":white_check_mark: Closed by {_esc(by)}."))
    return body


def rep_dm(lead: dict, decision_url: str, channel: str | None) -> dict:
    """To the assigned human rep."""
    where = f" Reply in the lead's thread in {channel}." if channel else ""
    text = f"A new lead is yours: {_who(lead)}.{where}"
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":wave: {text}"}},
        {"type": "section", "fields": _fields(lead)},
        _context(f"<{decision_url}|Routing details>"),
    ]
    return {"text": text, "blocks": blocks}


def owner_dm(lead: dict, decision_url: str, chat_id: int) -> dict:
    """To the lead's CRM owner when someone else got it: a Join button."""
    text = (
        f"Your CRM contact {_who(lead)} just started a chat; "
        f"it went to {_esc(lead['assignee']['name'])}. Join to take it over."
    )
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":bust_in_silhouette: {text}"}},
        {"type": "section", "fields": _fields(lead)},
        {
            "type": "actions",
            "block_id": f"knock_chat_{chat_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": JOIN_ACTION,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Join"},
                    "value": str(chat_id),
                }
            ],
        },
        _context(f"<{decision_url}|Routing details>"),
    ]
    return {"text": text, "blocks": blocks}


def joined(lead: dict, rep_name: str) -> dict:
    """The owner DM once the owner has joined (the button is gone)."""
    text = f"You joined the chat with {_who(lead)}: you are now the Rep Owner."
    section = {"type": "section", "text": {"type": "mrkdwn", "text": f":white_check_mark: {text}"}}
    return {"text": text, "blocks": [section]}


# -- meetings (SPEC 5a side effects) --------------------------------------------------
# `meeting` below is notifications.meetings.meeting_info(...): plain values, the start
# already written on the owner's clock ("when").

MEETING_HEADLINES = {
    "booked": (":calendar:", "Meeting booked"),
    "rescheduled": (":arrows_counterclockwise:", "Meeting moved"),
    "cancelled": (":x:", "Meeting cancelled"),
    "no_show": (":ghost:", "No-show"),
}


def _meeting_who(meeting: dict) -> str:
    return _who({"lead": meeting["lead"], "company": meeting.get("company")})


def _meeting_fields(meeting: dict) -> list[dict]:
    rows = [
        ("Lead", meeting["lead"]["email"]),
        ("Company", meeting.get("company") or "-"),
        ("When", meeting["when"]),
        ("Duration", f"{meeting['duration']} min"),
        ("Attending", ", ".join(meeting["reps"]) or "-"),
        (
            "Segment",
            f"{meeting['segment']} · {meeting['rule']['name']} v{meeting['rule']['version']}",
        ),
    ]
    return [{"type": "mrkdwn", "text": f"*{label}*\n{_esc(value)}"} for label, value in rows]


def _meeting_text(meeting: dict, change: str) -> str:
    who, owner, when = _meeting_who(meeting), _esc(meeting["owner"]), _esc(meeting["when"])
    return {
        "booked": f"Meeting booked: {who} with {owner}, {when}",
        "rescheduled": f"Meeting moved: {who} with {owner}, now {when}",
        "cancelled": f"Meeting cancelled: {who} with {owner}, {when}",
        "no_show": f"No-show: {who} missed the meeting with {owner}, {when}",
    }[change]


def meeting_alert(meeting: dict, decision_url: str, change: str = "booked") -> dict:
    """The monitoring-channel post of a booking, and its thread replies for later changes."""
    emoji, _ = MEETING_HEADLINES[change]
    text = _meeting_text(meeting, change)
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{emoji} *{text}*"}},
        {"type": "section", "fields": _meeting_fields(meeting)},
    ]
    if change == "cancelled" and meeting.get("reason"):
        reason = _esc(meeting["reason"][:300])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"> {reason}"}})
    blocks.append(_context(f"<{decision_url}|Why this owner?>"))
    return {"text": text, "blocks": blocks}


def meeting_owner_dm(meeting: dict, decision_url: str, change: str = "booked") -> dict:
    """To the meeting owner."""
    emoji, _ = MEETING_HEADLINES[change]
    who, when = _meeting_who(meeting), _esc(meeting["when"])
    text = {
        "booked": f"You have a new meeting: {who}, {when} ({meeting['duration']} min).",
        "rescheduled": f"Your meeting with {who} moved to {when}.",
        "cancelled": f"Your meeting with {who} on {when} was cancelled.",
        "no_show": f"{who} was marked a no-show for your meeting on {when}.",
    }[change]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{emoji} {text}"}},
        {"type": "section", "fields": _meeting_fields(meeting)},
        _context(f"<{decision_url}|Routing details>"),
    ]
    return {"text": text, "blocks": blocks}
