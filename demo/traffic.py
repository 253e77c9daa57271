"""Believable demo traffic: shared by seed_demo and simulate_leads (pure)."""

from __future__ import annotations

import random

COMPANIES = [
    ("Northwind Traders", "northwind.com", "Retail", 1200, "US"),
    ("Globex", "globex.com", "Manufacturing", 5400, "US"),
    ("Initech", "initech.io", "Software", 340, "US"),
    ("Umbrella Health", "umbrellahealth.com", "Healthcare", 8000, "GB"),
    ("Hooli", "hooli.xyz", "Software", 25000, "US"),
    ("Stark Logistics", "starklogistics.de", "Logistics", 150, "DE"),
    ("Le Petit Atelier", "petitatelier.fr", "Design", 12, "FR"),
    ("Pied Piper", "piedpiper.com", "Software", 45, "US"),
    ("Acme Robotics", "acmerobotics.es", "Robotics", 90, "ES"),
    ("Vandelay Imports", "vandelay.com", "Wholesale", 230, "US"),
    ("Soylent Foods", "soylent.co", "Food", 600, "NL"),
    ("Oceanic Air", "oceanic.aero", "Aviation", 14000, "AU"),
    ("Wayne Enterprises", "wayneenterprises.com", "Conglomerate", 52000, "US"),
    ("Cyberdyne Systems", "cyberdyne.io", "Hardware", 3100, "US"),
    ("Gringotts", "gringotts.co.uk", "Banking", 420, "GB"),
]
MESSAGES = {
    "buying": [
        "Hi, can I get pricing for 50 seats?",
        "We'd like a demo for our sales team next week.",
        "What does the enterprise plan include? Need a quote.",
        "Comparing you with two vendors, can we talk contract terms?",
    ],
    "support": [
        "My login is not working since this morning",
        "Getting an error when I export, can you help with this?",
    ],
    "job_seeker": ["Are you hiring account executives?", "I'd love to apply for the SDR role"],
    "partnership": ["We're an agency and want to become a reseller partner"],
    "unknown": ["Hello!", "Quick question", ""],
}
FIRST_NAMES = "ana ben chloe dev eli fatima george hana ivan julia kofi liam maya".split()
INTENTS = ["buying", "support", "job_seeker", "partnership", "unknown"]


def fake_chat(rng: random.Random, link_slugs: list[str], n: int | str) -> dict:
    """One POST /api/v1/chats/ body: a varied company, intent, link and session."""
    name, domain, industry, employees, country = rng.choice(COMPANIES)
    person = rng.choice(FIRST_NAMES)
    personal = rng.random() < 0.12
    intent = rng.choices(INTENTS, weights=[60, 15, 5, 5, 15])[0]
    payload = {
        "lead": {
            "email": f"{person}.{n}@{'gmail.com' if personal else domain}",
            "name": person.title(),
        },
        "message": rng.choice(MESSAGES[intent]),
        "session": {
            "device": rng.choice(["desktop", "desktop", "mobile", "tablet"]),
            "pages_viewed": rng.randint(1, 12),
            "time_on_site": rng.randint(10, 900),
        },
    }
    if link_slugs:
        payload["link"] = rng.choice(link_slugs)
    if not personal:
        payload["company"] = {
            "name": name,
            "domain": domain,
            "industry": industry,
            "employees": employees,
            "country": country,
        }
    if rng.random() < 0.3:
        payload["utm"] = {"source": "google", "medium": "cpc", "campaign": "brand"}
    return payload


# Where the demo's leads sit, for the time zone they ask availability in.
ZONES = {
    "US": "America/New_York",
    "GB": "Europe/London",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "ES": "Europe/Madrid",
    "NL": "Europe/Amsterdam",
    "AU": "Australia/Sydney",
}


def fake_meeting_request(rng: random.Random, link_slugs: list[str], n: int | str) -> dict:
    """One POST /api/v1/meetings/availability/ body: a lead asking for a demo."""
    chat = fake_chat(rng, link_slugs, n)
    body = {"lead": chat["lead"], "session": chat["session"]}
    for key in ("link", "company", "utm"):
        if key in chat:
            body[key] = chat[key]
    country = chat.get("company", {}).get("country")
    body["timezone"] = ZONES.get(country, rng.choice(list(ZONES.values())))
    return body
