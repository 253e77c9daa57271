"""Writing the Knock fields back to the CRM, as durable, retried, idempotent deliveries.

Rep Owner at assignment and at every ownership change; Responding Rep and Rep
Response Time at the first human reply; Meeting Owner and Meeting Status when a
meeting is booked, cancelled or a no-show (a reschedule changes neither). A
write sets the same values again when retried (a PATCH), so running it twice is
harmless. Nothing is planned
for a lead that is not in the CRM, nor for one matched only through its
company's account unless CrmSettings.write_to_accounts is on.
"""

from __future__ import annotations

import outbox
from outbox.errors import DeliveryError
from outbox.models import Delivery

from .backends import backend_for_workspace
from .backends.base import CrmError
from .models import CrmSettings

PERSON_RECORDS = ("lead", "contact")


def writes_to(crm_settings: CrmSettings, record_type: str) -> bool:
    """The lead or contact a chat is about is written; an account only when the
    workspace's CRM settings say so (write_to_accounts, off by default)."""
    return record_type in PERSON_RECORDS or (
        record_type == "account" and crm_settings.write_to_accounts
    )


def _target(record_type: str, record_id: str, email: str) -> dict:
    """The record, and the lead's email: Marketo writes by email (createOrUpdate)."""
    return {"record_type": record_type, "record_id": record_id, "email": email}


def plan_writes(
    chat, *, rep_owner: bool = False, response: bool = False, fresh: bool = False
) -> None:
    """Called inside the transaction that changed the chat (`fresh`: it was just
    created, so its keys cannot exist yet)."""
    if not chat.crm_record_id:
        return
    crm_settings = CrmSettings.cached_for(chat.workspace)
    if not writes_to(crm_settings, chat.crm_record_type):
        return  # the lead matched only its company's account: not this lead's record
    names = crm_settings.field_names()
    values: dict = {}
    if rep_owner:
        owner = chat.rep_owner or chat.ai_owner
        values[names["rep_owner"]] = owner.name if owner is not None else None
    if response and chat.responding_rep is not None:
        values[names["responding_rep"]] = chat.responding_rep.name
        values[names["response_time"]] = chat.response_time_minutes
    if not values:
        return
    # One write per distinct state: a retry of the same state is the same delivery.
    state = "-".join(str(v) for v in values.values())
    purpose = "rep_owner" if rep_owner and not response else "response"
    outbox.enqueue(
        chat.workspace,
        kind="crm.write",
        key=f"chat:{chat.id}:crm:{purpose}:{state}"[:200],
        backend=f"crm:{crm_settings.backend}",
        target=_target(chat.crm_record_type, chat.crm_record_id, chat.lead.email),
        payload={"values": values, "text": ", ".join(f"{k} = {v}" for k, v in values.items())},
        chat=chat,
        decision=getattr(chat, "decision", None),
        fresh=fresh,
    )


# Meeting events that change what the CRM shows; a reschedule keeps owner and status.
MEETING_STATUS_EVENTS = ("meeting.booked", "meeting.cancelled", "meeting.no_show")


def plan_meeting_writes(meeting) -> Delivery | None:
    """Knock: Meeting Owner and Knock: Meeting Status on the CRM record the lead
    matched when it asked for availability (stored on the meeting at booking)."""
    if not meeting.crm_record_id:
        return None
    crm_settings = CrmSettings.for_workspace(meeting.workspace)
    if not writes_to(crm_settings, meeting.crm_record_type):
        return None  # matched only its company's account
    names = crm_settings.field_names()
    owner = meeting.owner
    values = {
        names["meeting_owner"]: owner.name if owner is not None else None,
        names["meeting_status"]: meeting.status,
    }
    return outbox.enqueue(
        meeting.workspace,
        kind="crm.write",
        # One write per meeting and status: booked, then cancelled or no_show.
        key=f"meeting:{meeting.id}:crm:{meeting.status}",
        backend=f"crm:{crm_settings.backend}",
        target=_target(meeting.crm_record_type, meeting.crm_record_id, meeting.lead.email),
        payload={"values": values, "text": ", ".join(f"{k} = {v}" for k, v in values.items())},
        decision=meeting.decision,
    )


def plan(event: str, **data) -> None:
    """The outbox planner (settings.KNOCK_OUTBOX_PLANNERS): the write-back each event causes."""
    if event == "chat.routed":
        plan_writes(data["decision"].chat, rep_owner=True, fresh=True)
    elif event == "chat.owner_changed":
        plan_writes(data["chat"], rep_owner=True)
    elif event == "chat.replied":
        plan_writes(data["chat"], rep_owner=data.get("owner_changed", False), response=True)
    elif event in MEETING_STATUS_EVENTS:
        plan_meeting_writes(data["meeting"])


def write(delivery: Delivery) -> dict:
    backend = backend_for_workspace(delivery.workspace)
    target = delivery.target
    if not writes_to(CrmSettings.for_workspace(delivery.workspace), target.get("record_type")):
        # Planned before write_to_accounts was turned off: not written, and not retried.
        raise DeliveryError(
            f"not written: writing to a {target.get('record_type')} record is turned off "
            "(CRM settings: write to accounts)",
            permanent=True,
        )
    try:
        backend.write_fields(
            target["record_type"],
            target["record_id"],
            delivery.payload["values"],
            email=target.get("email") or None,
        )
    except CrmError as exc:  # the vendor's error, said in the outbox's terms
        raise DeliveryError(
            f"{backend.name}: {exc}", permanent=exc.permanent, retry_after=exc.retry_after
        ) from exc
    return {"written": sorted(delivery.payload["values"])}
