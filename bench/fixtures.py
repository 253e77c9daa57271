"""Workspaces for the database benchmarks, built through ``routing.actions`` (the
one path every write takes) so they are exactly what the product would hold."""

from __future__ import annotations

from bench import rule50


def rule50_workspace(tag: str) -> dict:
    """A workspace routing through the 50-segment benchmark rule.

    Twelve reps, three round-robin pools of four, two AI agents; the rule's
    segments point at pools, reps and agents in turn, and the link (slug
    ``tag``) has no channel, so ``attribution.channel`` comes from the UTM
    source as it does for ad traffic. Returns the workspace, its API key, the
    link slug and the rule.
    """
    from routing import actions

    workspace, key = actions.create_workspace(f"Bench {tag}")
    reps = [
        actions.create_rep(workspace, name=f"Rep {i:02d}", email=f"rep{i}-{tag}@bench.test")
        for i in range(12)
    ]
    pools = [
        actions.create_pool(
            workspace,
            name=f"Pool {p}",
            strategy="round_robin",
            members=[{"rep": r.id} for r in reps[p * 4 : p * 4 + 4]],
        )
        for p in range(3)
    ]
    agents = [
        actions.create_ai_agent(workspace, name="Support bot", specialty="support"),
        actions.create_ai_agent(workspace, name="Concierge", specialty="auto"),
    ]
    rule = actions.create_rule(workspace, kind="chat", name="Bench 50 segments")
    for i, (name, tree) in enumerate(rule50.SEGMENTS[:-1]):
        kind = ("pool", "rep", "pool", "ai_agent")[i % 4]
        target = {
            "pool": pools[(i // 4) % 3],
            "rep": reps[i % 12],
            "ai_agent": agents[(i // 4) % 2],
        }[kind]
        assignee = {"type": kind, "id": target.id}
        actions.add_segment(rule, name=name, conditions=tree, assignee=assignee)
    actions.create_link(workspace, slug=tag, name=f"Bench {tag}", channel="", chat_rule=rule)
    return {"workspace": workspace, "key": key, "slug": tag, "rule": rule}


def payload(ctx: dict, slug: str, n: int, tag: str) -> dict:
    """The POST /api/v1/chats/ body that produces (nearly) ``ctx`` as its context.

    The lead's email is made unique per request (``n``) with the generated
    domain kept, so every chat creates a new lead as fresh traffic does. The
    CRM namespace cannot come from a caller (no CRM is connected), so
    segments that read it see it missing, as in production without a CRM.
    """
    lead, company, session = ctx["lead"], ctx["company"], ctx["session"]
    attribution, intent = ctx["attribution"], ctx["intent"]
    body: dict = {
        "link": slug,
        "lead": {"email": f"lead{n}-{tag}@{lead['domain']}"},
        "intent": {"type": intent["type"], "score": intent["score"]},
        "utm": {"source": attribution["channel"], "medium": attribution["medium"]},
        "session": {k: v for k, v in session.items()},
        "message": "Hi, can I get a demo for my team?",
    }
    for key in ("country", "title"):
        if lead.get(key) is not None:
            body["lead"][key] = lead[key]
    if "campaign" in attribution:
        body["utm"]["campaign"] = attribution["campaign"]
    if company:
        body["company"] = dict(company)
    if ctx["custom"]:
        body["custom"] = dict(ctx["custom"])
    return body
