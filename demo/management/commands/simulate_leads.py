"""Demo traffic for the live feed: believable chats at a steady rate and, with
`--meetings SHARE`, that share of the leads asking for a demo instead: they ask
availability on a link with a meeting rule and book one of the slots offered.

By default the chats go through the running server's API (POST
/api/v1/chats/), so the server's process sends the live-feed events: with the
default in-memory channel layer only that process can reach the open
browsers. `--direct` calls routing.actions.route_chat in this process
instead (the same action the API calls); its events then reach browsers only
when REDIS_URL is set for both processes. Meetings likewise: POST
/api/v1/meetings/availability/ then /api/v1/meetings/, or calendars.actions in
process with `--direct`.
"""

import random
import re
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from calendars import actions as cal
from demo import meetings
from demo import traffic as demo
from routing import actions
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
    help = "Route believable demo chats (and book demo meetings) at a steady rate."

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
        parser.add_argument(
            "--meetings",
            type=float,
            default=0.0,
            help="Share of leads (0-1) that ask for a demo meeting and book it (default 0).",
        )

    def handle(self, *args, rate, count, workspace, url, direct, seed, meetings, **options):
        interval = 1 / parse_rate(rate)
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if not 0 <= meetings <= 1:
            raise CommandError("--meetings is a share between 0 and 1 (0.3: three leads in ten).")
        ws = self._workspace(workspace)
        active = KnockLink.objects.filter(workspace=ws, is_active=True)
        links = list(active.values_list("slug", flat=True))
        meeting_links = list(
            active.filter(meeting_rule__isnull=False).values_list("slug", flat=True)
        )
        rng = random.Random(seed)  # noqa: S311 - demo data
        self._revoke = None
        if direct:
            send, book = self._direct(ws), self._book_direct(ws, rng)
        else:
            send, book = self._over_api(ws, url.rstrip("/"), rng)
        what = f" ({meetings:.0%} of them booking meetings)" if meetings else ""
        self.stdout.write(f"Routing {count} leads into {ws.name!r} at {rate}{what}.")
        try:
            self._run(count, interval, rng, send, book, links, meeting_links, meetings)
        finally:
            if self._revoke is not None:  # the run's own token, even on Ctrl-C
                self._revoke()

    def _run(self, count, interval, rng, send, book, links, meeting_links, meetings):
        batch = int(time.time()) % 100000
        next_at = time.monotonic()
        for n in range(count):
            if meetings and rng.random() < meetings:
                payload = demo.fake_meeting_request(rng, meeting_links, f"{batch}{n:04d}")
                who, where = book(payload)
            else:
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

    def _book_direct(self, ws, rng):
        """Availability then booking in this process, through calendars.actions."""

        def book(payload):
            found = meetings.offer(ws, payload)
            if not found.qualified or not found.slots:
                return _unbooked(found.trace["result"]["summary"])
            slots = found.availability.slots
            for _ in range(3):  # a slot taken meanwhile: one of the fresh ones
                start = datetime.fromisoformat(rng.choice(slots[:20])["start"])
                try:
                    meeting = cal.book(ws, found.availability.id, start)
                except cal.Conflict as exc:
                    if not exc.slots:
                        break
                    slots = exc.slots
                    continue
                return _booked(meeting.owner.name, found.segment, found.via, start, payload)
            return _unbooked("every slot offered was taken meanwhile")

        return book

    def _over_api(self, ws, url, rng):
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

        def book(payload):
            response = session.post(
                f"{url}/api/v1/meetings/availability/", json=payload, timeout=10
            )
            if response.status_code != 200:
                raise CommandError(
                    f"The API answered {response.status_code}: {response.text[:300]}"
                )
            found = response.json()
            if not found["qualified"] or not found["slots"]:
                return _unbooked(found["trace"]["result"]["summary"])
            slots = found["slots"]
            for _ in range(3):  # a slot taken meanwhile (409): one of the fresh ones
                start = rng.choice(slots[:20])["start"]
                answer = session.post(
                    f"{url}/api/v1/meetings/",
                    json={"availability": found["id"], "start": start},
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                    timeout=10,
                )
                if answer.status_code == 409 and answer.json().get("slots"):
                    slots = answer.json()["slots"]
                    continue
                if answer.status_code != 201:
                    raise CommandError(
                        f"The API answered {answer.status_code}: {answer.text[:300]}"
                    )
                meeting = answer.json()
                return _booked(
                    meeting["owner"]["name"],
                    found["segment"],
                    found["via"],
                    datetime.fromisoformat(start),
                    payload,
                )
            return _unbooked("every slot offered was taken meanwhile")

        self._revoke = lambda: ApiToken.objects.filter(id=token.id).update(
            revoked_at=timezone.now()
        )
        return send, book


def _booked(owner: str, segment, via: str, start: datetime, payload: dict) -> tuple[str, str]:
    """('meeting with Dana Whitfield', 'Tue 01 Dec 15:00 Europe/Paris, Enterprise')."""
    name = segment.get("name") if isinstance(segment, dict) else getattr(segment, "name", None)
    tz = payload.get("timezone", "UTC")
    local = start.astimezone(ZoneInfo(tz))
    where = name or ("CRM owner first" if via == "crm_owner" else via)
    return f"meeting with {owner}", f"{local:%a %d %b %H:%M} {tz}, {where}"


def _unbooked(reason: str) -> tuple[str, str]:
    return "no meeting", reason
