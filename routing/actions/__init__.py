"""Every write goes through here: the API, the console, the admin, commands, tests."""

from .chats import join_chat, record_reply
from .errors import ActionError, NotFound
from .lifecycle import auto_close, close_chat, reassign_chat, reopen_chat
from .links import create_link, delete_link, update_link
from .members import add_member, remove_member
from .people import (
    create_ai_agent,
    create_pool,
    create_rep,
    delete_ai_agent,
    delete_pool,
    delete_rep,
    update_ai_agent,
    update_pool,
    update_rep,
)
from .rep_sync import deactivate_unsynced_reps, upsert_synced_reps
from .routing import Routed, route_chat, simulate
from .rules import create_rule, delete_rule, update_rule
from .segments import (
    add_segment,
    delete_segment,
    duplicate_segment,
    move_segment,
    reorder_segments,
    update_segment,
)
from .versions import rollback
from .workspaces import create_workspace, set_viewer_time_zone, update_workspace

__all__ = [
    "ActionError",
    "NotFound",
    "Routed",
    "add_member",
    "add_segment",
    "auto_close",
    "close_chat",
    "create_ai_agent",
    "create_link",
    "create_pool",
    "create_rep",
    "create_rule",
    "create_workspace",
    "deactivate_unsynced_reps",
    "delete_ai_agent",
    "delete_link",
    "delete_pool",
    "delete_rep",
    "delete_rule",
    "delete_segment",
    "duplicate_segment",
    "move_segment",
    "reassign_chat",
    "remove_member",
    "reopen_chat",
    "set_viewer_time_zone",
    "reorder_segments",
    "rollback",
    "route_chat",
    "simulate",
    "update_ai_agent",
    "update_link",
    "update_pool",
    "update_rep",
    "update_rule",
    "update_segment",
    "update_workspace",
    "upsert_synced_reps",
    "join_chat",
    "record_reply",
]
