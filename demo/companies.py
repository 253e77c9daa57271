"""The demo's company table (enrichment's local provider): the traffic's own
companies plus a few hundred generated ones, deterministic (same seed, same
table), so company segments route leads who give only an email."""

from __future__ import annotations

import random

from .traffic import COMPANIES

PREFIXES = (
    "Apex Blue Bright Cedar Clear Copper Crest Delta Echo Ember Falcon Fern Granite Harbor "
    "Helio Iron Juniper Keystone Lumen Maple Meridian Nimbus North Oak Onyx Orbit Pine Prism "
    "Quantum Quartz Raven River Sable Sierra Silver Solar Summit Terra Tidal Vertex Willow Zephyr"
).split()
SUFFIXES = (
    "Analytics Bank Bio Cloud Dynamics Energy Foods Freight Health Insights Labs Logistics "
    "Media Networks Partners Retail Robotics Security Software Systems"
).split()
INDUSTRY = {
    "Analytics": "Software", "Bank": "Banking", "Bio": "Biotech", "Cloud": "Software",
    "Dynamics": "Manufacturing", "Energy": "Energy", "Foods": "Food", "Freight": "Logistics",
    "Health": "Healthcare", "Insights": "Software", "Labs": "Software", "Logistics": "Logistics",
    "Media": "Media", "Networks": "Telecom", "Partners": "Consulting", "Retail": "Retail",
    "Robotics": "Robotics", "Security": "Software", "Software": "Software",
    "Systems": "Hardware",
}  # fmt: skip
PLACES = [
    ("US", ["New York", "San Francisco", "Austin", "Chicago", "Boston", "Seattle"], ".com"),
    ("GB", ["London", "Manchester", "Edinburgh"], ".co.uk"),
    ("DE", ["Berlin", "Munich", "Hamburg"], ".de"),
    ("FR", ["Paris", "Lyon"], ".fr"),
    ("ES", ["Madrid", "Barcelona"], ".es"),
    ("NL", ["Amsterdam", "Rotterdam"], ".nl"),
    ("AU", ["Sydney", "Melbourne"], ".com.au"),
    ("CA", ["Toronto", "Vancouver"], ".ca"),
]
TECH = "Salesforce HubSpot Marketo Slack Zendesk Segment Snowflake AWS GCP Intercom Stripe".split()
CITIES = {"US": "New York", "GB": "London", "DE": "Berlin", "FR": "Paris", "ES": "Madrid",
          "NL": "Amsterdam", "AU": "Sydney"}  # fmt: skip


def rows(seed: int = 15, count: int = 300) -> list[dict]:
    """Company rows ({column: value}) as enrichment.importer.import_rows takes them."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    out = []
    for name, domain, industry, employees, country in COMPANIES:
        out.append(
            {
                "domain": domain,
                "name": name,
                "industry": industry,
                "employees": employees,
                "revenue": employees * 180_000,
                "country": country,
                "hq_city": CITIES.get(country, "New York"),
                "tech": rng.sample(TECH, 3),
            }
        )
    seen = {r["domain"] for r in out}
    weights = [40, 12, 10, 8, 6, 6, 9, 9]
    while len(out) < count:
        prefix, suffix = rng.choice(PREFIXES), rng.choice(SUFFIXES)
        country, cities, tld = rng.choices(PLACES, weights=weights)[0]
        domain = f"{prefix}{suffix}{tld}".lower()
        if domain in seen:
            continue
        seen.add(domain)
        # Log-uniform head count: many small companies, a long tail of big ones.
        employees = int(10 ** rng.uniform(1, 4.7))
        out.append(
            {
                "domain": domain,
                "name": f"{prefix} {suffix}",
                "industry": INDUSTRY[suffix],
                "employees": employees,
                "revenue": employees * rng.randint(90, 400) * 1000,
                "country": country,
                "hq_city": rng.choice(cities),
                "tech": rng.sample(TECH, rng.randint(1, 4)),
            }
        )
    return out


def seed(workspace) -> int:
    """Fill an empty company table (a demo seeded before enrichment gets it now)."""
    from enrichment.importer import import_rows
    from enrichment.models import Company

    if Company.objects.filter(workspace=workspace).exists():
        return 0
    return import_rows(workspace, rows()).created
