"""POST /api/v1/chats/ (route a chat, idempotently), GET a chat, the decision log."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from routing import actions
from routing.actions.routing import Routed
from routing.filters import DecisionFilterForm
from routing.models import Chat, Decision, Rep

from ..idempotency import IDEMPOTENCY_HEADER, idempotent_create
from ..release import detached, unbind
from ..serializers.chats import (
    MAX_ID,
    ChatCreateSerializer,
    ChatSerializer,
    DecisionSerializer,
)
from ..serializers.lifecycle import LifecycleChatSerializer
from .base import WorkspaceScopedMixin
from .lifecycle import ChatLifecycleMixin

CHATS = Chat.objects.select_related(
    "lead", "link", "decision", "rep_owner", "ai_owner", "responding_rep"
)


def simulated_rule_ref(rule_id: int, name: str, version: int | str) -> dict:
    """A simulation's rule: its version's number, or null and `draft` for its draft."""
    draft = version == "draft"
    return {"id": rule_id, "name": name, "version": None if draft else version, "draft": draft}


def simulation_data(routed: Routed) -> dict:
    outcome = routed.outcome
    return {
        "simulated": True,
        "rule": simulated_rule_ref(routed.rule.id, routed.rule.name, routed.version),
        "segment": {"id": outcome.segment.id, "name": outcome.segment.name}
        if outcome.segment
        else None,
        "via": outcome.via,
        "assignee": outcome.assignee.as_dict(),
        "context": routed.context,
        "trace": outcome.trace,
        "duration_ms": round(routed.duration_ms, 3),
    }


# A reply's `at` may be a little ahead of our clock (the caller's clock drifts).
REPLY_CLOCK_SKEW = timedelta(minutes=5)


class ReplySerializer(serializers.Serializer):
    rep = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    at = serializers.DateTimeField(
        required=False,
        help_text="When the reply was sent (now): not before the chat, not in the future "
        "(up to 5 minutes of clock skew is allowed).",
    )

    def validate_at(self, at):
        chat = self.context["chat"]
        if at < chat.created_at:
            raise serializers.ValidationError("A reply cannot be sent before its chat started.")
        if at > timezone.now() + REPLY_CLOCK_SKEW:
            raise serializers.ValidationError("A reply cannot be in the future.")
        return at


class ChatViewSet(
    ChatLifecycleMixin,  # close/, reopen/, reassign/ (views/lifecycle.py)
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    model = Chat
    serializer_class = ChatSerializer

    def get_queryset(self):
        if self.schema_only:
            return Chat.objects.none()
        if self.action == "list":
            refuse_unknown_params(self.request, set())  # no filters here: `?rep=` is a typo
        qs = CHATS.filter(workspace=self.workspace)
        if self.action in ("list", "retrieve"):
            qs = qs.prefetch_related("reassignments")  # one query for the page's chats
        return qs

    def get_serializer_class(self):
        # GET shows the lifecycle (closed_at, closed_by, reassignments); the create
        # answer stays ChatSerializer: a chat just routed has none of them yet.
        if self.action in ("list", "retrieve"):
            return LifecycleChatSerializer
        return super().get_serializer_class()

    @extend_schema(
        request=ChatCreateSerializer,
        responses={201: ChatSerializer},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request, *args, **kwargs):
        """Route a new chat and return the decision with its trace."""
        serializer = ChatCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def produce(save):
            # route_chat owns the transaction (the CRM is asked before it opens);
            # with an Idempotency-Key the record is written inside it, with the answer.
            # The answer is built from the objects route_chat just wrote (lead, link,
            # decision and owner attached): the same as a GET, without reading it back.
            # Without a key it is built after the commit, not while the pool is locked.
            answered = {}

            def answer(chat):
                answered["data"] = detached(ChatSerializer(chat))
                save(answered["data"])

            routed = actions.route_chat(
                self.workspace,
                serializer.validated_data,
                answer=answer if save is not None else None,
                workspace_is_fresh=True,  # read with the token, in this request
            )
            return answered["data"] if save is not None else detached(ChatSerializer(routed.chat))

        try:
            return idempotent_create(request, self.workspace, produce, what="chat")
        finally:
            unbind(serializer)  # its validated data stays; its fields' cycles go

    @extend_schema(request=ReplySerializer, responses={200: LifecycleChatSerializer})
    @action(detail=True, methods=["post"], serializer_class=ReplySerializer)
    def replies(self, request, pk=None):
        """A human replied on another chat surface (what a Slack thread reply does).

        The first human reply sets Responding Rep, first_response_at and
        response_time_minutes; when an AI agent owned the chat, that rep becomes
        Rep Owner. Later replies change nothing (200, same chat).
        """
        chat = self.get_object()
        serializer = ReplySerializer(data=request.data, context={"chat": chat})
        serializer.is_valid(raise_exception=True)
        rep = Rep.objects.filter(
            workspace=self.workspace, id=serializer.validated_data["rep"], is_active=True
        ).first()
        if rep is None:
            raise ValidationError({"rep": ["No active rep with this id in this workspace."]})
        actions.record_reply(chat, rep, serializer.validated_data.get("at"))
        fresh = CHATS.prefetch_related("reassignments").get(pk=chat.pk)
        return Response(LifecycleChatSerializer(fresh).data)  # the same shape as GET


def _id_param(name, what):
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, description=f"Only {what}."
    )


_WHEN = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
# Documented from routing.filters.DecisionFilterForm, the one definition of these filters.
DECISION_FILTERS = [
    OpenApiParameter("since", _WHEN, description=DecisionFilterForm.base_fields["since"].help_text),
    OpenApiParameter("until", _WHEN, description=DecisionFilterForm.base_fields["until"].help_text),
    OpenApiParameter(
        "link",
        {"type": "string", "pattern": r"^[-a-zA-Z0-9_]{1,80}$"},
        description="Only decisions for this link (its slug).",
    ),
    _id_param("rule", "decisions made by this rule"),
    _id_param("rep", "decisions assigned to this rep"),
    _id_param("ai_agent", "decisions assigned to this AI agent"),
    OpenApiParameter("kind", {"type": "string", "enum": ["chat", "meeting"]}),
]
PAGING = {"limit", "offset", "format"}


def refuse_unknown_params(request, known: set[str]) -> None:
    unknown = sorted(set(request.query_params) - known - PAGING)
    if unknown:
        raise ValidationError({name: ["Unknown query parameter."] for name in unknown})


@extend_schema_view(list=extend_schema(parameters=DECISION_FILTERS))
class DecisionViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The decision log, newest first; filter by time, link, rep, rule, AI agent."""

    model = Decision
    serializer_class = DecisionSerializer

    def get_queryset(self):
        if self.schema_only:
            return Decision.objects.none()
        qs = Decision.objects.filter(workspace=self.workspace).select_related("lead", "link")
        if self.action != "list":
            return qs
        params = self.request.query_params
        refuse_unknown_params(self.request, set(DecisionFilterForm.base_fields))
        # The console's form treats a blank field as "any"; an API caller who sends
        # `?until=` meant something, so a blank value is an error here.
        blank = {name: ["Give a value or leave the parameter out."] for name in params
                 if not params[name].strip()}  # fmt: skip
        if blank:
            raise ValidationError(blank)
        form = DecisionFilterForm(params, workspace=self.workspace)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return form.filter(qs)


__all__ = ["ChatViewSet", "DecisionViewSet", "simulation_data"]
