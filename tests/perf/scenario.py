"""A workspace with every feature of a routed chat on, for the query pins and
bench/hotpath_files.py: the local CRM knows the lead (a contact, its account with
an open opportunity, an owner who is a rep), the local company table knows its
domain, Slack has a default channel (alert + rep DM + the CRM owner's DM), and
the CRM write-back is planned; the lead goes to a round-robin pool.
"""

from __future__ import annotations

from routing import actions

DOMAIN = "acme-corp.test"


def build(workspace, *, segments: int = 3, reps: int = 5, links: int = 1, tag: str = "perf"):
    """Returns the slug of the link whose rule routes the chats."""
    from crm.models import LocalAccount, LocalOpportunity
    from enrichment.models import Company
    from notifications.actions import save_slack_settings

    people = [
        actions.create_rep(workspace, name=f"{tag} rep {i}", email=f"{tag}{i}@reps.test")
        for i in range(reps)
    ]
    pool = actions.create_pool(
        workspace, name=f"{tag} pool", members=[{"rep": r.id} for r in people]
    )
    rule = actions.create_rule(workspace, kind="chat", name=f"{tag} rule")
    for i in range(segments - 2):  # ... plus the winner and the fallback
        assignee = (
            {"type": "rep", "id": people[i % reps].id} if i % 2 else {"type": "pool", "id": pool.id}
        )
        actions.add_segment(
            rule,
            name=f"no match {i}",
            conditions={"field": "company.employees", "op": "gt", "value": 100_000 + i},
            assignee=assignee,
        )
    actions.add_segment(
        rule,
        name="winner",
        conditions={"field": "lead.email", "op": "ends_with", "value": "@" + DOMAIN},
        assignee={"type": "pool", "id": pool.id},
    )
    actions.update_rule(rule, notify_crm_owner=True)
    slug = f"{tag}-0"
    for n in range(links):
        actions.create_link(
            workspace, slug=f"{tag}-{n}", name=f"{tag} {n}", channel="web", chat_rule=rule
        )
    save_slack_settings(workspace, default_channel="#leads")
    Company.objects.get_or_create(
        workspace=workspace, domain=DOMAIN, defaults={"name": "Acme Corp", "employees": 800}
    )
    account, _ = LocalAccount.objects.get_or_create(
        workspace=workspace,
        domain=DOMAIN,
        defaults={"name": "Acme Corp", "owner_email": people[-1].email},
    )
    LocalOpportunity.objects.get_or_create(
        workspace=workspace, account=account, name="Renewal", defaults={"is_closed": False}
    )
    return slug


def add_contact(workspace, email: str) -> None:
    """The local CRM knows this lead (so the write-back is planned)."""
    from crm.models import LocalAccount, LocalContact

    account = LocalAccount.objects.get(workspace=workspace, domain=DOMAIN)
    LocalContact.objects.create(
        workspace=workspace, email=email, account=account, owner_email=account.owner_email
    )


def payload(slug: str, n: int) -> dict:
    return {
        "link": slug,
        "lead": {"email": f"lead{n}@{DOMAIN}", "name": f"Lead {n}"},
        "company": {"employees": 5},
        "utm": {"source": "google", "medium": "cpc"},
        "message": "Hi, can I get a demo?",
    }
