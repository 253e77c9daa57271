"""OpenAPI links: which operation's answer gives the ids another operation takes.

drf-spectacular (0.30) has no links, so a postprocessing hook adds them
(knock/settings.py). They tell a client, and the stateful phase of `make fuzz`,
that the rule POST /rules/ creates is the {id} of its draft, segments and
versions, and so on. Only links whose target exists right after the source: a
new rule has no draft yet, so the draft's GET, DELETE, publish and diff hang off
PUT .../draft/ instead.

A link is (source path, method, status) -> {name: (operationId, parameters, body)};
parameters and body take runtime expressions ("$response.body#/id") or constants.
"""

from __future__ import annotations

ID = "$response.body#/id"
RULE = "$response.body#/rule"  # a segment's, a draft's


def _link(operation_id: str, parameters: dict | None = None, body=None, description=""):
    link = {"operationId": operation_id, "parameters": parameters or {}}
    if body is not None:
        link["requestBody"] = body
    if description:
        link["description"] = description
    return link


def _rule(operation_id: str, **kw):
    return _link(operation_id, {"id": ID}, **kw)


ROUTING_LINKS = {
    ("/api/v1/rules/", "post", "201"): {
        "GetRule": _rule("v1_rules_retrieve"),
        "UpdateRule": _rule("v1_rules_partial_update"),
        "AddSegment": _rule("v1_rules_segments_create"),
        "Reorder": _rule("v1_rules_reorder_create"),
        "Simulate": _rule("v1_rules_simulate_create"),
        "Versions": _rule("v1_rules_versions_list"),
        "Version": _link(
            "v1_rules_versions_retrieve", {"id": ID, "number": "$response.body#/version"}
        ),
        "PutDraft": _rule("v1_rules_draft_update"),
        "DeleteRule": _rule("v1_rules_destroy"),
    },
    ("/api/v1/rules/{id}/draft/", "put", "201"): {
        "GetDraft": _link("v1_rules_draft_retrieve", {"id": RULE}),
        "DiffDraft": _link(
            "v1_rules_diff_retrieve",
            {"id": RULE, "from": "$response.body#/live_version", "to": "draft"},
            description="What publishing the draft would change.",
        ),
        "PublishDraft": _link("v1_rules_draft_publish_create", {"id": RULE}),
        "DiscardDraft": _link("v1_rules_draft_destroy", {"id": RULE}),
    },
    ("/api/v1/rules/{id}/segments/", "post", "201"): {
        "GetSegment": _link("v1_segments_retrieve", {"id": ID}),
        "UpdateSegment": _link("v1_segments_partial_update", {"id": ID}),
        "MoveSegment": _link(
            "v1_segments_move_create", {"id": ID}, body={"position": "$response.body#/position"}
        ),
        "DeleteSegment": _link("v1_segments_destroy", {"id": ID}),
        "RollBack": _link(
            "v1_rules_rollback_create",
            {"id": RULE},
            body={"version": 1},
            description="Adding a segment made a new version: version 1 is an earlier one.",
        ),
        "DiffFirst": _link(
            "v1_rules_diff_retrieve",
            {"id": RULE, "from": 1, "to": 2},
            description="Version 2 is the first change of the rule (this segment, or before).",
        ),
    },
}
# PUT .../draft/ answers 200 once the draft exists: the same links.
ROUTING_LINKS[("/api/v1/rules/{id}/draft/", "put", "200")] = ROUTING_LINKS[
    ("/api/v1/rules/{id}/draft/", "put", "201")
]


def add_links(result: dict, table: dict) -> dict:
    paths = result.get("paths", {})
    for (path, method, status), links in table.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is not None:
            response.setdefault("links", {}).update(links)
    return result


def document_links(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry (see knock/settings.py)."""
    return add_links(result, ROUTING_LINKS)
