"""Demo traffic for the live feed: believable chats at a steady rate.

By default the chats go through the running server's API (POST
/api/v1/chats/), so the server's process sends the live-feed events: with the
default in-memory channel layer only that process can reach the open
browsers. `--direct` calls routing.actions.route_chat in this process
instead (the same action the API calls); its events then reach browsers only
when REDIS_URL is set for both processes.
"""

import atexit
import random
import re
import time

import requests
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from routing import actions, demo
from routing.models import ApiToken, KnockLink, Workspace


def parse_rate(value: str) -> float:
    """'2/s', '30/m', '0.5/s' or a bare number of chats per second."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*([smh]))?\s*", value or "")
    if not match:
        raise CommandError(f"Bad --rate {value!r}: use e.g. 2/s, 30/m or 100/h.")
    rate = float(match.group(1)) / {"s": 1, "m": 60, "h": 3600}[match.group(2) or "s"]
    if rate <= 0:
        raise CommandError("--rate must be above zero.")
    return rate


class Command(BaseCommand):
    help = "Route believable demo chats at a steady rate, so the live feed moves."

    def add_arguments(self, parser):
        parser.add_argument("--rate", default="2/s", help="Chats per second/minute (2/s, 30/m).")
        parser.add_argument("--count", type=int, default=200, help="How many chats (default 200).")
        parser.add_argument("--workspace", help="Workspace slug (default: the demo workspace).")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="The running server (default :8000)."
        )
        parser.add_argument(
            "--direct", action="store_true", help="Route in this process, not through the API."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed.")

    def handle(self, *args, rate, count, workspace, url, direct, seed, **options):
        interval = 1 / parse_rate(rate)
        if count < 1:
            raise CommandError("--count must be at least 1.")
        ws = self._workspace(workspace)
        links = list(
            KnockLink.objects.filter(workspace=ws, is_active=True).values_list("slug", flat=True)
        )
        send = self._direct(ws) if direct else self._over_api(ws, url.rstrip("/"))
        rng = random.Random(seed)  # noqa: S311 - demo data
        batch = int(time.time()) % 100000
        self.stdout.write(f"Routing {count} chats into {ws.name!r} at {rate}.")
        next_at = time.monotonic()
        for n in range(count):
            payload = demo.fake_chat(rng, links, f"{batch}{n:04d}")
            who, where = send(payload)
            self.stdout.write(
                f"{n + 1:>5}/{count}  {payload['lead']['email']:<34} -> {who} ({where})"
            )
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def _workspace(self, slug):
        qs = Workspace.objects.order_by("id")
        ws = (
            qs.filter(slug=slug).first()
            if slug
            else (qs.filter(slug="demo-co").first() or qs.first())
        )
        if ws is None:
            raise CommandError("No such workspace. Run `manage.py seed_demo` first.")
        return ws

    def _direct(self, ws):
        def send(payload):
            routed = actions.route_chat(ws, payload)
            seg = routed.outcome.segment.name if routed.outcome.segment else routed.outcome.via
            return routed.outcome.assignee.name, seg

        return send

    def _over_api(self, ws, url):
        # A token of its own, revoked when the run ends (keys are stored hashed).
        token, key = ApiToken.issue(ws, name="simulate_leads")
        session = requests.Session()
        session.headers["Authorization"] = f"Token {key}"
        try:
            session.get(f"{url}/api/v1/workspace/", timeout=5).raise_for_status()
        except requests.RequestException as exc:
            token.delete()
            raise CommandError(
                f"No Knock Router server answers at {url} ({exc.__class__.__name__}). "
                "Start it with `make run`, pass --url, or use --direct."
            ) from exc

        def send(payload):
            response = session.post(f"{url}/api/v1/chats/", json=payload, timeout=10)
            if response.status_code != 201:
                raise CommandError(
                    f"The API answered {response.status_code}: {response.text[:300]}"
                )
            data = response.json()
            return data["assignee"]["name"], (data["segment"] or {}).get("name") or data["via"]

        atexit.register(
            lambda: ApiToken.objects.filter(id=token.id).update(revoked_at=timezone.now())
        )
        return send
