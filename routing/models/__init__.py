from .chats import Chat, Decision, IdempotencyRecord, Lead
from .links import KnockLink
from .people import AIAgent, Pool, PoolMember, Rep
from .replays import ReplayRun
from .rules import RoutingRule, RuleDraft, RuleVersion, Segment
from .workspace import ApiToken, ConsoleProfile, Membership, Workspace

__all__ = [
    "AIAgent",
    "ApiToken",
    "Chat",
    "ConsoleProfile",
    "Decision",
    "IdempotencyRecord",
    "KnockLink",
    "Lead",
    "Membership",
    "Pool",
    "PoolMember",
    "Rep",
    "ReplayRun",
    "RoutingRule",
    "RuleDraft",
    "RuleVersion",
    "Segment",
    "Workspace",
]
