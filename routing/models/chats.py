from functools import lru_cache

from django.db import connections, models

from knock import rawsql
from knock.json_fields import DocumentField, OrjsonField
from routing import replay

from .links import KnockLink
from .people import AIAgent, Pool, Rep
from .rules import RoutingRule, Segment
from .workspace import Workspace

# Lead.objects.touch: the tables are routing_lead and routing_chat (Meta.db_table unset).
TOUCH_SQL = """
INSERT INTO routing_lead
    (workspace_id, email, name, first_touch, created_at, last_seen_at, previous_seen_at)
VALUES (%s, %s, %s, %s, %s, %s, NULL)
ON CONFLICT (workspace_id, email) DO UPDATE SET
    previous_seen_at = routing_lead.last_seen_at,
    last_seen_at = excluded.last_seen_at,
    name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE routing_lead.name END,
    first_touch = CASE WHEN routing_lead.first_touch = %s
        THEN excluded.first_touch ELSE routing_lead.first_touch END
RETURNING {columns},
    (SELECT COUNT(*) FROM routing_chat WHERE routing_chat.lead_id = routing_lead.id) AS prior_chats
    {next_ids}"""


@lru_cache(maxsize=16)
def _touch_sql(using: str, next_ids: tuple) -> tuple[str, int]:
    """TOUCH_SQL for this database, taking the keys of `next_ids` too, and how many
    it takes (none but on PostgreSQL): built once per process, not per chat."""
    connection = connections[using]
    taking = rawsql.next_ids_sql(next_ids, connection)
    sql = TOUCH_SQL.format(
        columns=rawsql.columns(Lead, "", connection),
        next_ids="".join(f", {expression}" for expression in taking),
    )
    return sql, len(taking)


class LeadQuerySet(models.QuerySet):
    def touch(
        self, workspace, email: str, *, name: str, first_touch: dict, now, next_ids=()
    ) -> "Lead":
        """The lead's row for an inbound chat or meeting request, in one statement.

        INSERT ... ON CONFLICT (workspace, email) DO UPDATE ... RETURNING, the same SQL on
        SQLite (>= 3.35) and PostgreSQL, race-free (two first chats of one lead: one row,
        no retry). A new lead gets `first_touch` (SPEC 6's attribution); a known one keeps
        its own, locked once set (gets this one only if it had none), keeps its name
        unless one is given, and has its `last_seen_at` moved to `now`, the one it had
        kept in `previous_seen_at`. The returned lead says what it was before this touch:
        `existed`, `previous_seen_at` and `prior_chats` (its chats so far).

        `next_ids` (models): on PostgreSQL the same statement takes the next primary
        key of each from its sequence, in `lead.next_ids` (route_chat writes its chat
        and decision with them: knock.rawsql.insert_rows); elsewhere that is ().
        """
        fields = {f.name: f for f in Lead._meta.concrete_fields}
        connection = connections[self.db]
        sql, taken = _touch_sql(connection.alias, tuple(next_ids))

        def prep(field, value):
            return fields[field].get_db_prep_save(value, connection)

        empty = prep("first_touch", {})
        at = prep("created_at", now)
        params = (workspace.pk, email, name, prep("first_touch", first_touch), at, at, empty)
        with connection.cursor() as cursor:
            with rawsql.with_begin(connection):  # PostgreSQL: BEGIN goes with it
                cursor.execute(sql, params)
            row = cursor.fetchone()
        cut = len(row) - taken
        lead = rawsql.instance(Lead, "", row[: cut - 1], connection)
        lead.prior_chats = row[cut - 1]
        lead.next_ids = tuple(row[cut:])
        lead.workspace = workspace
        lead.touched = True  # its last_seen_at is now; the one before is previous_seen_at
        return lead


class Lead(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="leads")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    # First-touch attribution, locked once set (SPEC 6).
    first_touch = OrjsonField(default=dict, blank=True)  # jsonb, encoded by orjson
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    # The last_seen_at it had before its latest chat or meeting request (Lead.objects.touch).
    previous_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="uniq_lead_email"),
        ]

    def __str__(self):
        return self.email

    @property
    def existed(self) -> bool:
        """Whether the row was there before its latest touch (Lead.objects.touch)."""
        return self.previous_seen_at is not None


class Chat(models.Model):
    STATUSES = [("open", "Open"), ("closed", "Closed")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="chats")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="chats")
    link = models.ForeignKey(
        KnockLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="chats"
    )
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    rep_owner = models.ForeignKey(
        Rep, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_chats"
    )
    ai_owner = models.ForeignKey(
        AIAgent, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_chats"
    )
    responding_rep = models.ForeignKey(
        Rep, null=True, blank=True, on_delete=models.SET_NULL, related_name="responded_chats"
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    response_time_minutes = models.FloatField(null=True, blank=True)
    # The CRM record the lead matched when routed: where the Knock fields are written.
    crm_record_type = models.CharField(max_length=20, blank=True)
    crm_record_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Lifecycle (routing.actions.lifecycle). Activity is the latest of created_at,
    # first_response_at and last_activity_at (later replies, reopen, reassign).
    last_activity_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=200, blank=True)
    # The last reopen: the live feed's catch-up replays it (routing.console.views.home).
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status", "rep_owner"]),
            models.Index(fields=["status", "created_at"], name="chat_open_age"),
        ]

    def __str__(self):
        return f"Chat {self.pk} ({self.lead})"


class TraceDigestField(DocumentField):
    """The parts of a decision's trace the replay reads (`routing.replay.digest`),
    derived from the trace whenever the row is written (save, bulk_create and
    knock.rawsql all call `pre_save`), so it never disagrees with it."""

    def pre_save(self, model_instance, add):
        value = replay.digest(model_instance.trace or {})
        setattr(model_instance, self.attname, value)
        return value


class DecisionImmutable(Exception):
    pass


class Decision(models.Model):
    """The immutable record of one routing."""

    KINDS = RoutingRule.KINDS
    ASSIGNEE_KINDS = [("rep", "Rep"), ("ai_agent", "AI agent")]

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=10, choices=KINDS, default="chat")
    chat = models.OneToOneField(
        Chat, null=True, blank=True, on_delete=models.CASCADE, related_name="decision"
    )
    # A manual reassignment is a decision of its own (chat stays the routing's):
    # it points at the chat it reassigned, its trace names who did it and why.
    reassigned_chat = models.ForeignKey(
        Chat, null=True, blank=True, on_delete=models.CASCADE, related_name="reassignments"
    )
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="decisions")
    link = models.ForeignKey(
        KnockLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    rule = models.ForeignKey(
        RoutingRule, null=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    rule_name = models.CharField(max_length=200)
    rule_version = models.PositiveIntegerField()
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    segment_name = models.CharField(max_length=200, blank=True)
    via = models.CharField(
        max_length=20,
        help_text="segment, crm_owner_first, last_resort or reassigned",
        default="segment",
    )
    assignee_type = models.CharField(max_length=10, choices=ASSIGNEE_KINDS)
    rep = models.ForeignKey(
        Rep, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    ai_agent = models.ForeignKey(
        AIAgent, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    pool = models.ForeignKey(
        Pool, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    assignee_name = models.CharField(max_length=200)
    # Written once and read whole: PostgreSQL json, not jsonb (knock/json_fields.py).
    context = DocumentField()
    trace = DocumentField()
    # What the replay reads of the trace, so it never takes a whole trace apart.
    trace_digest = TraceDigestField(default=dict, editable=False)
    duration_ms = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["workspace", "rep", "-created_at"]),
        ]

    def __str__(self):
        return f"Decision {self.pk}: {self.lead} -> {self.assignee_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise DecisionImmutable("Decisions are immutable once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DecisionImmutable("Decisions are immutable; delete the workspace to remove them.")


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an Idempotency-Key."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="uniq_idempotency_key"),
        ]

    def __str__(self):
        return f"Idempotency-Key {self.key}"
