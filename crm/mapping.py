"""CRM owner -> rep (SPEC 3 `crm.owner_rep`)."""

from __future__ import annotations

from django.db.models import Q

from routing.models import Rep, Workspace

from .models import CrmUserMapping


def rep_for_owner(
    workspace: Workspace, owner_id: str | None, owner_email: str | None
) -> Rep | None:
    """The rep a CRM owner maps to, or None.

    Order: a manual override in CrmUserMapping (by CRM user id, else by email),
    then the rep with that email (case-insensitive), then the rep whose
    `crm_user_ids` lists the id. Inactive reps are returned too: whether a rep
    can take the lead now is routing's decision, and the trace can say why not.
    At most three queries.
    """
    owner_id = (owner_id or "").strip()
    owner_email = (owner_email or "").strip().lower()
    if not owner_id and not owner_email:
        return None

    match = Q()
    if owner_id:
        match |= Q(crm_user_id=owner_id)
    if owner_email:
        match |= Q(email=owner_email)
    mappings = list(CrmUserMapping.objects.filter(match, workspace=workspace).select_related("rep"))
    # A mapping by id is more specific than one by email.
    mappings.sort(key=lambda m: (m.crm_user_id != owner_id, m.id))
    for mapping in mappings:
        if mapping.rep is not None and mapping.rep.workspace_id == workspace.id:
            return mapping.rep
    if not owner_email:
        # The CRM gave only an id; a mapping row may know its email.
        owner_email = next((m.email for m in mappings if m.email), "")

    if owner_email:
        rep = Rep.objects.filter(workspace=workspace, email__iexact=owner_email).first()
        if rep is not None:
            return rep

    if owner_id:
        # JSON containment is not portable to SQLite: narrow in SQL, confirm in Python.
        candidates = Rep.objects.filter(workspace=workspace, crm_user_ids__icontains=owner_id)
        for rep in candidates:
            if owner_id in {str(x) for x in rep.crm_user_ids or []}:
                return rep
    return None


def remember_owner(workspace: Workspace, owner_id: str | None, owner_email: str | None) -> None:
    """Record a CRM user seen in a lookup, so the console can list CRM users and
    offer a manual override. Never touches an existing override."""
    owner_id = (owner_id or "").strip()
    owner_email = (owner_email or "").strip().lower()
    if owner_id:
        mapping, created = CrmUserMapping.objects.get_or_create(
            workspace=workspace, crm_user_id=owner_id, defaults={"email": owner_email}
        )
        if not created and owner_email and mapping.email != owner_email:
            CrmUserMapping.objects.filter(pk=mapping.pk).update(email=owner_email)
    elif owner_email:
        CrmUserMapping.objects.get_or_create(workspace=workspace, crm_user_id="", email=owner_email)
