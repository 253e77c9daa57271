"""The demo's meeting funnel: local calendars with believable busy blocks, a
meeting rule with several segments on the demo links, and a dozen meetings.

Everything goes through the actions the API calls (routing.actions for the
rule, calendars.actions for calendars, offers and bookings), so the meetings
have their availability, decision, trace and outbox deliveries like real ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from calendars import actions as cal
from calendars.api.serializers import AvailabilityRequestSerializer
from calendars.models import Meeting
from routing import actions
from routing.models import KnockLink, Pool, Rep, RoutingRule, Workspace

from . import traffic

RULE_NAME = "Book a demo"
DEMO_LINK = "book-a-demo"
EMEA = ["GB", "DE", "FR", "ES", "NL"]
TITLES = [
    "Pipeline review",
    "1:1 with manager",
    "Customer call",
    "Forecast call",
    "Onboarding session",
    "Deal desk",
    "Lunch",
    "Focus time",
    "QBR prep",
    "Renewal call",
]


@dataclass(frozen=True)
class Lead:
    """A demo lead who books: person, company and when they asked."""

    person: str
    company: tuple  # (name, domain, industry, employees, country)
    timezone: str
    days_ago: int = 0  # > 0: asked that many days ago (the meeting is over by now)
    then: str = "booked"  # what happened to the meeting: booked, cancelled, no_show


_BY_DOMAIN = {c[1]: c for c in traffic.COMPANIES}
WAYNE, CYBERDYNE, GLOBEX = (
    _BY_DOMAIN[d] for d in ("wayneenterprises.com", "cyberdyne.io", "globex.com")
)
GRINGOTTS, SOYLENT, INITECH = (
    _BY_DOMAIN[d] for d in ("gringotts.co.uk", "soylent.co", "initech.io")
)
VANDELAY, PIED_PIPER, ACME = (
    _BY_DOMAIN[d] for d in ("vandelay.com", "piedpiper.com", "acmerobotics.es")
)
ATELIER, STARK, OCEANIC = (
    _BY_DOMAIN[d] for d in ("petitatelier.fr", "starklogistics.de", "oceanic.aero")
)

LEADS = [
    Lead("maya", WAYNE, "America/New_York"),
    Lead("ivan", CYBERDYNE, "America/Los_Angeles"),
    Lead("george", GLOBEX, "America/Chicago"),  # a CRM account of Dana's: CRM owner first
    Lead("hana", GRINGOTTS, "Europe/London"),
    Lead("liam", SOYLENT, "Europe/Amsterdam"),
    Lead("ben", INITECH, "America/New_York"),
    Lead("julia", VANDELAY, "America/New_York"),
    Lead("dev", PIED_PIPER, "America/Los_Angeles"),
    Lead("eli", ACME, "Europe/Madrid"),
    Lead("chloe", ATELIER, "Europe/Paris", then="cancelled"),
    Lead("kofi", INITECH, "America/New_York", then="cancelled"),
    Lead("ana", OCEANIC, "Australia/Sydney", days_ago=8),
    Lead("fatima", STARK, "Europe/Berlin", days_ago=8, then="no_show"),
    Lead("eli", PIED_PIPER, "America/Los_Angeles", days_ago=9, then="no_show"),
]


def seed(workspace: Workspace, rng: random.Random, *, now: datetime | None = None) -> dict | None:
    """Add the meeting funnel once; None when the demo already has it (kept as is).

    A demo seeded before the meeting funnel existed gets it on the next run.
    """
    if RoutingRule.objects.filter(workspace=workspace, kind="meeting", name=RULE_NAME).exists():
        return None
    now = now or timezone.now()
    with transaction.atomic():
        reps = {r.name.split()[0]: r for r in Rep.objects.filter(workspace=workspace)}
        blocks = 0
        for rep in sorted(reps.values(), key=lambda r: r.id):
            cal.set_calendar(rep, {"backend": "local", "calendar_id": rep.email})
            blocks += busy_blocks(rep, rng, now)
        rule = meeting_rule(workspace, reps)
    # Each booking is its own durable transaction (calendars.actions.book).
    meetings = [book_one(workspace, lead, rng, now) for lead in LEADS]
    return {"rule": rule, "busy_blocks": blocks, "meetings": [m for m in meetings if m]}


def busy_blocks(rep: Rep, rng: random.Random, now: datetime, days: int = 14) -> int:
    """Two to four busy stretches per working day on the rep's own clock, for
    the next `days` days: a morning stand-up most days, then calls and reviews
    between 10:00 and 17:30 that never overlap (calendars rarely double-book)."""
    tz = ZoneInfo(rep.timezone or "UTC")
    today = now.astimezone(tz).date()
    made = 0
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        stretches = []
        if rng.random() < 0.8:
            stretches.append((_at(day, time(9, 30), tz), 15, "Team stand-up"))
        # Half hours from 10:00 to 16:30; each lasts until the next at most.
        starts = sorted(rng.sample(range(20, 34), rng.randint(2 - len(stretches), 3)))
        for n, half_hour in enumerate(starts):
            room = ((starts[n + 1] if n + 1 < len(starts) else 35) - half_hour) * 30
            minutes = min(rng.choice((30, 30, 45, 60, 90)), room)
            at = time(half_hour // 2, 30 * (half_hour % 2))
            stretches.append((_at(day, at, tz), minutes, rng.choice(TITLES)))
        for begin, minutes, title in stretches:
            cal.add_busy(rep, start=begin, end=begin + timedelta(minutes=minutes), title=title)
            made += 1
    return made


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def meeting_rule(workspace: Workspace, reps: dict[str, Rep]) -> RoutingRule:
    """Personal emails disqualified; enterprise meets two AEs at once; mid-market
    rotates through a pool; small companies get whoever is free first."""
    pools = {p.name: p for p in Pool.objects.filter(workspace=workspace)}
    rule = actions.create_rule(
        workspace,
        kind="meeting",
        name=RULE_NAME,
        monitoring_channel="#demo-requests",
        crm_owner_first=True,
        owner_duration=30,
    )
    employees = "company.employees"
    segments = [
        (
            "Personal emails",
            {"field": "lead.is_personal_email", "op": "is_true"},
            {"logic": "disqualified", "reason": "Personal email: we book demos with work emails"},
        ),
        (
            "Enterprise (1,000+ employees)",
            {"field": employees, "op": "gte", "value": 1000},
            {
                "logic": "all_calendars",
                "reps": [reps["Dana"].id, reps["Marcus"].id],
                "duration": 45,
                "slot_interval": 30,
                "buffer_after": 15,
                "max_per_day": 4,
            },
        ),
        (
            "Mid-market EMEA",
            {
                "all": [
                    {"field": employees, "op": "gte", "value": 200},
                    {"field": "company.country", "op": "in", "value": EMEA},
                ]
            },
            {"logic": "round_robin", "pool": pools["EMEA team"].id, "buffer_after": 10},
        ),
        (
            "Mid-market",
            {"field": employees, "op": "gte", "value": 200},
            {"logic": "round_robin", "pool": pools["Enterprise AEs"].id, "buffer_after": 10},
        ),
        (
            "Small business",
            {"field": employees, "op": "lt", "value": 200},
            {
                "logic": "any_calendar",
                "reps": [reps["Priya"].id, reps["Amelia"].id, reps["Kenji"].id],
                "min_notice": 60,
            },
        ),
    ]
    for name, conditions, booking in segments:
        actions.add_segment(rule, name=name, conditions=conditions, booking=booking)
    # The fallback stays qualified: unknown company sizes meet the default rep.
    for link in KnockLink.objects.filter(workspace=workspace, slug="pricing-cta"):
        actions.update_link(link, meeting_rule=rule.id)
    actions.create_link(
        workspace,
        slug=DEMO_LINK,
        name="Book a demo",
        channel="Website",
        chat_rule=RoutingRule.objects.get(workspace=workspace, kind="chat", name="Inbound chat"),
        meeting_rule=rule,
    )
    return rule


def request_body(lead: Lead, link: str = DEMO_LINK) -> dict:
    name, domain, industry, employees, country = lead.company
    return {
        "link": link,
        "lead": {"email": f"{lead.person}@{domain}", "name": lead.person.title()},
        "company": {
            "name": name,
            "domain": domain,
            "industry": industry,
            "employees": employees,
            "country": country,
        },
        "timezone": lead.timezone,
    }


def offer(workspace: Workspace, body: dict, *, now: datetime | None = None):
    """POST /meetings/availability/ in process: the API's validation, then its action."""
    serializer = AvailabilityRequestSerializer(data=body)
    serializer.is_valid(raise_exception=True)
    return cal.offer(workspace, serializer.validated_data, now=now)


def book_one(workspace: Workspace, lead: Lead, rng: random.Random, now: datetime):
    """Ask availability as the lead did (`days_ago` in the past), book one of the
    first slots offered, then cancel it or mark the no-show."""
    asked = now - timedelta(days=lead.days_ago)
    found = offer(workspace, request_body(lead), now=asked)
    if not found.qualified or not found.slots:
        return None
    slots = found.availability.slots
    # Past leads book within a day or two (so the meeting is over); others spread out.
    pick = rng.choice(slots[: 6 if lead.days_ago else 40])
    start = datetime.fromisoformat(pick["start"])
    meeting = cal.book(workspace, found.availability.id, start, now=asked)
    if lead.then == "cancelled":
        meeting = cal.cancel(meeting, rng.choice(["Lead asked to move it", "Budget on hold"]))
    elif lead.then == "no_show":
        meeting = cal.no_show(meeting, now=now)
    return meeting


def summary(workspace: Workspace) -> str:
    counts = {s: 0 for s, _ in Meeting.STATUSES}
    for status in Meeting.objects.filter(workspace=workspace).values_list("status", flat=True):
        counts[status] += 1
    return ", ".join(f"{n} {s.replace('_', '-')}" for s, n in counts.items())
