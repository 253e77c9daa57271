"""A believable demo workspace, built through the same actions as the API: the chat
funnel (reps, pools, AI agents, rules, links, routed chats) and the meeting funnel
(local calendars, a meeting rule, booked meetings: demo/meetings.py)."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from crm.models import LocalAccount, LocalOpportunity
from demo import companies, meetings
from demo import traffic as demo
from routing import actions
from routing.models import ApiToken, Membership, Workspace

DEMO_SLUG = "demo-co"
DEMO_USER, DEMO_PASSWORD = "demo", "knock-demo"

WEEKDAYS_9_TO_6 = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
REPS = [
    ("Dana Whitfield", "America/New_York", WEEKDAYS_9_TO_6),
    ("Marcus Chen", "America/Los_Angeles", WEEKDAYS_9_TO_6),
    ("Priya Raman", "America/Chicago", {}),
    ("Sofia Alvarez", "Europe/Madrid", WEEKDAYS_9_TO_6),
    ("Jonas Becker", "Europe/Berlin", {}),
    ("Amelia Hart", "Europe/London", {}),
    ("Kenji Sato", "Asia/Tokyo", WEEKDAYS_9_TO_6),
    ("Lena Novak", "Europe/Prague", {}),
]
LINKS = [
    ("g2-listing", "G2 listing", "G2"),
    ("linkedin-ads", "LinkedIn Ads", "LinkedIn Ads"),
    ("pricing-cta", "Pricing page CTA", "Website"),
    ("event-qr", "Event QR (SaaStr)", "Events"),
    ("website-chat", "Website chat", ""),
]


class Command(BaseCommand):
    help = (
        "Create (once) a demo workspace with reps, pools, AI agents, rules, links and chats, "
        "reps' local calendars and booked meetings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chats", type=int, default=300, help="Chats to route (default 300).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed.")

    def handle(self, *args, chats, seed, **options):
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if workspace is None:
            rng = random.Random(seed)  # noqa: S311 - demo data
            workspace, link_slugs = self._build(rng)
            # route_chat opens its own (durable) transaction: route once the build committed.
            for n in range(chats):
                actions.route_chat(workspace, demo.fake_chat(rng, link_slugs, n))
            self.stdout.write(f"Seeded demo workspace {workspace.name!r} with {chats} chats.")
        else:
            self.stdout.write(f"Demo workspace {workspace.name!r} already exists; kept as is.")
        # Its own step: bookings are durable transactions of their own. Skipped when the
        # demo has its meeting rule; a demo seeded before meetings existed gets them now.
        seeded = meetings.seed(workspace, random.Random(seed))  # noqa: S311 - demo data
        if seeded:
            self.stdout.write(
                f"Seeded the meeting funnel: rule {seeded['rule'].name!r} on links "
                f"{meetings.DEMO_LINK!r} and 'pricing-cta', {seeded['busy_blocks']} busy blocks, "
                f"meetings: {meetings.summary(workspace)}."
            )
        # Enrichment's company table, before the user: leads who give only an email
        # (the public link page) match company segments. Kept when already filled.
        if created := companies.seed(workspace):
            self.stdout.write(f"Seeded the company table: {created} companies.")
        self._ensure_user(workspace)
        # A fresh token each run (the old demo token is revoked): keys are stored hashed.
        ApiToken.objects.filter(workspace=workspace, name="demo", revoked_at=None).update(
            revoked_at=timezone.now()
        )
        _, key = ApiToken.issue(workspace, name="demo")
        self.stdout.write(f"Demo API token: {key}")

    def _crm(self, workspace, reps):
        """A few accounts in the local CRM, so CRM owner first and CRM fields have data."""
        owners = {
            "globex.com": (reps[0], "customer", True),
            "hooli.xyz": (reps[1], "opportunity", False),
            "umbrellahealth.com": (reps[3], "opportunity", False),
            "northwind.com": (reps[5], "lead", None),
        }
        for domain, (rep, stage, won) in owners.items():
            name = next(c[0] for c in demo.COMPANIES if c[1] == domain)
            account = LocalAccount.objects.create(
                workspace=workspace,
                name=name,
                domain=domain,
                owner_email=rep.email,
                lifecycle_stage=stage,
                custom_fields={"Tier": "Strategic" if won else "Growth"},
            )
            if won is not None:
                LocalOpportunity.objects.create(
                    workspace=workspace,
                    account=account,
                    name=f"{name} {'renewal' if won else 'new business'}",
                    stage="Closed Won" if won else "Proposal",
                    is_closed=bool(won),
                    is_won=bool(won),
                    owner_email=rep.email,
                )

    def _ensure_user(self, workspace):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(workspace=workspace, user=user)

    @transaction.atomic
    def _build(self, rng: random.Random) -> tuple[Workspace, list[str]]:
        workspace, _ = actions.create_workspace("Demo Co")
        workspace.slug = DEMO_SLUG
        workspace.save(update_fields=["slug"])
        reps = []
        for name, tz, hours in REPS:
            first = name.split()[0].lower()
            reps.append(
                actions.create_rep(
                    workspace,
                    name=name,
                    email=f"{first}@demo-co.example",
                    timezone=tz,
                    working_hours=hours,
                    slack_user_id=f"U0{len(reps) + 1:08d}",
                )
            )
        actions.update_rep(reps[6], out_of_office_until=timezone.now() + timedelta(days=5))
        workspace = actions.update_workspace(workspace, default_rep=reps[2].id)

        support = actions.create_ai_agent(workspace, name="Support Bot", specialty="support")
        careers = actions.create_ai_agent(workspace, name="Careers Bot", specialty="hiring")
        enterprise = actions.create_pool(
            workspace,
            name="Enterprise AEs",
            strategy="round_robin",
            respect_working_hours=False,
            members=[{"rep": r.id, "weight": 1} for r in reps[:3]],
        )
        emea = actions.create_pool(
            workspace,
            name="EMEA team",
            strategy="round_robin",
            respect_working_hours=False,
            members=[
                {"rep": reps[3].id, "weight": 2},
                {"rep": reps[4].id, "weight": 1},
                {"rep": reps[5].id, "weight": 1},
                {"rep": reps[7].id, "weight": 1, "is_paused": True},
            ],
        )
        smb = actions.create_pool(
            workspace,
            name="SMB team",
            strategy="load_balanced",
            respect_working_hours=False,
            members=[{"rep": r.id} for r in (reps[1], reps[2], reps[5], reps[6])],
        )

        inbound = actions.create_rule(
            workspace,
            kind="chat",
            name="Inbound chat",
            monitoring_channel="#inbound-leads",
            notify_crm_owner=True,
        )
        add = actions.add_segment
        add(
            inbound,
            name="Enterprise from G2 / LinkedIn",
            conditions={
                "all": [
                    {"field": "company.employees", "op": "gt", "value": 200},
                    {"field": "attribution.channel", "op": "in", "value": ["LinkedIn Ads", "G2"]},
                ]
            },
            assignee={"type": "pool", "id": enterprise.id},
        )
        add(
            inbound,
            name="Support questions",
            conditions={"field": "intent.type", "op": "eq", "value": "support"},
            assignee={"type": "ai_agent", "id": support.id},
        )
        add(
            inbound,
            name="Job seekers",
            conditions={"field": "intent.type", "op": "eq", "value": "job_seeker"},
            assignee={"type": "ai_agent", "id": careers.id},
        )
        add(
            inbound,
            name="Partnerships",
            conditions={"field": "intent.type", "op": "eq", "value": "partnership"},
            assignee={"type": "rep", "id": reps[4].id},
        )
        add(
            inbound,
            name="EMEA",
            conditions={
                "field": "company.country",
                "op": "in",
                "value": ["GB", "DE", "FR", "ES", "NL"],
            },
            assignee={"type": "pool", "id": emea.id},
        )
        add(
            inbound,
            name="Small business",
            conditions={
                "any": [
                    {"field": "company.employees", "op": "lte", "value": 200},
                    {"field": "lead.is_personal_email", "op": "is_true"},
                ]
            },
            assignee={"type": "pool", "id": smb.id},
        )
        pricing = actions.create_rule(
            workspace,
            kind="chat",
            name="Pricing page",
            monitoring_channel="#pricing-leads",
            crm_owner_first=True,
            notify_crm_owner=True,
        )
        add(
            pricing,
            name="High intent, big company",
            conditions={
                "all": [
                    {"field": "intent.score", "op": "eq", "value": "high"},
                    {"field": "company.employees", "op": "gte", "value": 500},
                ]
            },
            assignee={"type": "pool", "id": enterprise.id},
        )
        add(
            pricing,
            name="Everyone else on pricing",
            conditions={"not": {"field": "lead.is_personal_email", "op": "is_true"}},
            assignee={"type": "pool", "id": smb.id},
        )
        links = {}
        for slug, name, channel in LINKS:
            rule = {"pricing-cta": pricing, "website-chat": None}.get(slug, inbound)
            links[slug] = actions.create_link(
                workspace, slug=slug, name=name, channel=channel, chat_rule=rule
            )
        workspace = actions.update_workspace(workspace, intent_rules={"support": inbound.id})

        self._crm(workspace, reps)
        return workspace, list(links)
