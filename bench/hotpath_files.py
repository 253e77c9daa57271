"""Which files of our code run for one POST /api/v1/chats/, from request to 201 (#11).

A workspace with every feature on (tests/perf/scenario.py: local CRM knows the
lead, local company table, Slack alert and DMs, CRM write-back, a pool), on a
throwaway SQLite database in memory. One chat warms the caches (imports,
compiled rule); the next is profiled with `sys.setprofile`, which sees every
Python function call: a file counts when one of its functions runs. Our code
is every .py under the repository except tests/ and bench/ and the virtualenv.
The feed event is sent after commit and, since #16 item 3, off the request:
its rendering counts when it runs in the request's thread.

    .venv/bin/python bench/hotpath_files.py          # count and list
    .venv/bin/python bench/hotpath_files.py --queries # and the SQL statements
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "knock.test_settings")
    os.environ.pop("DATABASE_URL", None)  # SQLite in memory, never someone's database
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from rest_framework.test import APIClient

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from routing import actions
    from tests.perf import scenario

    workspace, key = actions.create_workspace("Hot path")
    slug = scenario.build(workspace)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for n in (1, 2):
        scenario.add_contact(workspace, scenario.payload(slug, n)["lead"]["email"])
    warm = client.post("/api/v1/chats/", scenario.payload(slug, 1), format="json")
    assert warm.status_code == 201, warm.content

    ours: set[str] = set()
    skip = (str(ROOT / "tests"), str(ROOT / "bench"), str(ROOT / ".venv"))

    def profile(frame, event, arg):
        if event == "call":
            name = frame.f_code.co_filename
            if name.startswith(str(ROOT)) and not name.startswith(skip):
                ours.add(name)

    threading.setprofile(profile)
    sys.setprofile(profile)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/chats/", scenario.payload(slug, 2), format="json")
    sys.setprofile(None)
    threading.setprofile(None)
    assert response.status_code == 201, response.content
    files = sorted(os.path.relpath(f, ROOT) for f in ours)
    print(f"{len(files)} files of our code from request to 201:")
    for f in files:
        print("  " + f)
    print(f"{len(ctx.captured_queries)} SQL statements")
    if "--queries" in sys.argv:
        for q in ctx.captured_queries:
            print("  " + q["sql"][:160])


if __name__ == "__main__":
    main()
