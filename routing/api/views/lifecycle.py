"""POST /api/v1/chats/{id}/close/, /reopen/ and /reassign/ (SPEC 8).

A mixin of ChatViewSet: `get_object()` scopes the chat to the token's
workspace, so another workspace's chat is a 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from routing import actions
from routing.actions.lifecycle import MAX_REASON
from routing.models import Chat, Rep

from ..serializers.chats import MAX_ID, ChatSerializer, DecisionSerializer, StrictSerializer


class LifecycleChatSerializer(ChatSerializer):
    """A chat with its lifecycle: when and by whom it was closed, its reassignments."""

    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_by = serializers.CharField(read_only=True)
    last_activity_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reassignments = serializers.SerializerMethodField()

    class Meta(ChatSerializer.Meta):
        fields = [*ChatSerializer.Meta.fields, "closed_at", "closed_by", "last_activity_at",
                  "reassignments"]  # fmt: skip

    def get_reassignments(self, obj) -> list[int]:
        return list(obj.reassignments.order_by("created_at", "id").values_list("id", flat=True))


class ReassignSerializer(StrictSerializer):
    rep = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_REASON, trim_whitespace=True
    )


class ReassignedSerializer(LifecycleChatSerializer):
    """The chat after a reassignment, with the reassignment's own decision."""

    reassignment = DecisionSerializer(read_only=True)

    class Meta(LifecycleChatSerializer.Meta):
        fields = [*LifecycleChatSerializer.Meta.fields, "reassignment"]


def who(request) -> str:
    """How the trace and the chat name the API caller: its token."""
    token = request.auth
    return f"API token {token.name!r} ({token.prefix}…)"


class ChatLifecycleMixin:
    def _fresh(self, chat: Chat, serializer=LifecycleChatSerializer, reassignment=None):
        fresh = Chat.objects.select_related(
            "lead", "link", "decision", "rep_owner", "ai_owner", "responding_rep"
        ).get(pk=chat.pk)
        fresh.reassignment = reassignment
        return serializer(fresh, context={"request": self.request}).data

    @extend_schema(request=None, responses={200: LifecycleChatSerializer})
    @action(detail=True, methods=["post"], serializer_class=LifecycleChatSerializer)
    def close(self, request, pk=None):
        """End the chat (idempotent: closing a closed chat answers 200 and changes nothing).

        An open chat counts toward its owner's capacity and load balancing; a
        closed one does not, from the moment it is closed.
        """
        chat, _ = actions.close_chat(self.get_object(), by=who(request))
        return Response(self._fresh(chat))

    @extend_schema(request=None, responses={200: LifecycleChatSerializer})
    @action(detail=True, methods=["post"], serializer_class=LifecycleChatSerializer)
    def reopen(self, request, pk=None):
        """Resume a closed chat (idempotent); it counts as activity for the auto-close."""
        chat, _ = actions.reopen_chat(self.get_object(), by=who(request))
        return Response(self._fresh(chat))

    @extend_schema(request=ReassignSerializer, responses={201: ReassignedSerializer})
    @action(detail=True, methods=["post"], serializer_class=ReassignSerializer)
    def reassign(self, request, pk=None):
        """Give an open chat to another active rep: a new decision (`reassignment`),
        whose trace names who reassigned it and why. The rep becomes Rep Owner."""
        chat = self.get_object()
        serializer = ReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rep = Rep.objects.filter(workspace=self.workspace, id=data["rep"]).first()
        if rep is None:
            raise ValidationError({"rep": ["No rep with this id in this workspace."]})
        chat, decision = actions.reassign_chat(
            chat, rep, by=who(request), reason=data.get("reason", "")
        )
        body = self._fresh(chat, ReassignedSerializer, reassignment=decision)
        return Response(body, status=status.HTTP_201_CREATED)


__all__ = ["ChatLifecycleMixin", "LifecycleChatSerializer"]
