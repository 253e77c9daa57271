from django.urls import path, register_converter

from . import access
from .views import (
    agents,
    chats,
    decisions,
    drafts,
    home,
    links,
    pools,
    profile,
    replay,
    reps,
    rules,
    segments,
    settings,
    versions,
)


# The CRM and Slack pages live in crm/urls.py and notifications/urls.py; knock/urls.py
# mounts them in this same "console" namespace (routing does not import those apps).
class SignedIntConverter:
    """A draft segment's id: negative until the draft is published."""

    regex = "-?[0-9]+"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(SignedIntConverter, "signed")
app_name = "console"

W = "w/<int:ws>/"
urlpatterns = [
    path("", access.home, name="index"),
    path("switch/", access.switch, name="switch"),
    path(W, home.overview, name="home"),
    path(W + "feed/since/", home.feed_since, name="feed-since"),
    path(W + "rules/", rules.rule_list, name="rules"),
    path(W + "rules/new/", rules.rule_create, name="rule-create"),
    path(W + "rules/<int:rule_id>/", rules.rule_detail, name="rule"),
    path(W + "rules/<int:rule_id>/settings/", rules.rule_settings, name="rule-settings"),
    path(W + "rules/<int:rule_id>/delete/", rules.rule_delete, name="rule-delete"),
    path(W + "rules/<int:rule_id>/reorder/", rules.rule_reorder, name="rule-reorder"),
    path(W + "rules/<int:rule_id>/test/", rules.rule_test, name="rule-test"),
    path(
        W + "rules/<int:rule_id>/versions/<int:number>/",
        versions.rule_version,
        name="rule-version",
    ),
    path(W + "rules/<int:rule_id>/diff/", versions.rule_diff, name="rule-diff"),
    path(W + "rules/<int:rule_id>/rollback/", versions.rule_rollback, name="rule-rollback"),
    path(W + "rules/<int:rule_id>/replay/", replay.rule_replay, name="rule-replay"),
    path(
        W + "rules/<int:rule_id>/replay/<int:run_id>/",
        replay.replay_run,
        name="rule-replay-run",
    ),
    path(
        W + "rules/<int:rule_id>/replay/<int:run_id>/progress/",
        replay.replay_progress,
        name="rule-replay-progress",
    ),
    path(
        W + "rules/<int:rule_id>/replay/<int:run_id>/leads/<int:decision_id>/",
        replay.replay_trace,
        name="rule-replay-trace",
    ),
    path(W + "rules/<int:rule_id>/segments/new/", segments.segment_create, name="segment-create"),
    # Edit as draft (issue 17 item 1); a draft segment's id is negative until published.
    path(W + "rules/<int:rule_id>/draft/", drafts.draft_editor, name="rule-draft"),
    path(W + "rules/<int:rule_id>/draft/start/", drafts.draft_start, name="rule-draft-start"),
    path(W + "rules/<int:rule_id>/draft/publish/", drafts.draft_publish, name="rule-draft-publish"),
    path(W + "rules/<int:rule_id>/draft/discard/", drafts.draft_discard, name="rule-draft-discard"),
    path(W + "rules/<int:rule_id>/draft/reorder/", drafts.draft_reorder, name="rule-draft-reorder"),
    path(
        W + "rules/<int:rule_id>/draft/segments/new/",
        drafts.draft_segment_create,
        name="draft-segment-create",
    ),
    path(
        W + "rules/<int:rule_id>/draft/segments/<signed:seg_id>/edit/",
        drafts.draft_segment_edit,
        name="draft-segment-edit",
    ),
    path(
        W + "rules/<int:rule_id>/draft/segments/<signed:seg_id>/duplicate/",
        drafts.draft_segment_duplicate,
        name="draft-segment-duplicate",
    ),
    path(
        W + "rules/<int:rule_id>/draft/segments/<signed:seg_id>/delete/",
        drafts.draft_segment_delete,
        name="draft-segment-delete",
    ),
    path(W + "segments/<int:segment_id>/edit/", segments.segment_edit, name="segment-edit"),
    path(
        W + "segments/<int:segment_id>/duplicate/",
        segments.segment_duplicate,
        name="segment-duplicate",
    ),
    path(W + "segments/<int:segment_id>/delete/", segments.segment_delete, name="segment-delete"),
    path(W + "links/", links.link_list, name="links"),
    path(W + "links/new/", links.link_create, name="link-create"),
    path(W + "links/<int:link_id>/", links.link_edit, name="link-edit"),
    path(W + "links/<int:link_id>/toggle/", links.link_toggle, name="link-toggle"),
    path(W + "pools/", pools.pool_list, name="pools"),
    path(W + "pools/new/", pools.pool_create, name="pool-create"),
    path(W + "pools/<int:pool_id>/", pools.pool_detail, name="pool"),
    path(W + "pools/<int:pool_id>/members/", pools.pool_add_member, name="pool-add-member"),
    path(
        W + "pools/<int:pool_id>/members/<int:rep_id>/",
        pools.pool_update_member,
        name="pool-member",
    ),
    path(W + "pools/<int:pool_id>/delete/", pools.pool_delete, name="pool-delete"),
    path(W + "reps/", reps.rep_list, name="reps"),
    path(W + "reps/new/", reps.rep_create, name="rep-create"),
    path(W + "reps/<int:rep_id>/", reps.rep_edit, name="rep-edit"),
    path(W + "reps/<int:rep_id>/toggle/", reps.rep_toggle, name="rep-toggle"),
    path(W + "ai-agents/", agents.agent_list, name="ai-agents"),
    path(W + "ai-agents/new/", agents.agent_create, name="ai-agent-create"),
    path(W + "ai-agents/<int:agent_id>/", agents.agent_edit, name="ai-agent-edit"),
    path(
        W + "ai-agents/<int:agent_id>/default/",
        agents.agent_make_default,
        name="ai-agent-default",
    ),
    path(W + "settings/", settings.workspace_settings, name="settings"),
    path(W + "me/", profile.profile, name="profile"),
    path(W + "settings/members/", settings.member_add, name="member-add"),
    path(
        W + "settings/members/<int:membership_id>/remove/",
        settings.member_remove,
        name="member-remove",
    ),
    path(W + "chats/", chats.chat_list, name="chats"),
    path(W + "chats/<int:chat_id>/", chats.chat_detail, name="chat"),
    path(W + "chats/<int:chat_id>/close/", chats.chat_close, name="chat-close"),
    path(W + "chats/<int:chat_id>/reopen/", chats.chat_reopen, name="chat-reopen"),
    path(W + "chats/<int:chat_id>/reassign/", chats.chat_reassign, name="chat-reassign"),
    path(W + "decisions/", decisions.decision_list, name="decisions"),
    path(W + "decisions/<int:decision_id>/", decisions.decision_detail, name="decision"),
]
