"""Slack message bodies (Block Kit), built by pure functions from plain dicts.

`lead` below is `lead_info(...)`: the decision's payload plus the bits of
context a rep needs at a glance. Snapshot tests pin every body.
"""

from __future__ import annotations

JOIN_ACTION = "knock_join"


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


def lead_alert(lead: dict, decision_url: str) -> dict:
    """The monitoring-channel post; it becomes the lead's thread."""
    text = f"New lead: {_who(lead)} → {_esc(lead['assignee']['name'])}"
    message = lead.get("message")
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":incoming_envelope: *{text}*"}},
        {"type": "section", "fields": _fields(lead)},
    ]
    if message:
        quoted = "\n".join("> " + _esc(line) for line in message[:500].splitlines())
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": quoted}})
    blocks.append(_context(f"Reply in this thread to answer. <{decision_url}|Why this assignee?>"))
    return {"text": text, "blocks": blocks}


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
