"""POST /api/v1/chats/{id}/close/, /reopen/ and /reassign/ (SPEC 8).

A mixin of ChatViewSet: `get_object()` scopes the chat to the token's
workspace, so another workspace's chat is a 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from routing import actions
from routing.models import Chat, Rep

from ..serializers.lifecycle import (
    LifecycleChatSerializer,
    ReassignedSerializer,
    ReassignSerializer,
)


def who(request) -> str:
    """How the trace and the chat name the API caller: its token."""
    token = request.auth
    return f"API token {token.name!r} ({token.prefix}…)"


class ChatLifecycleMixin:
    def _fresh(self, chat: Chat, serializer=LifecycleChatSerializer, reassignment=None):
        fresh = (
            Chat.objects.select_related(
                "lead", "link", "decision", "rep_owner", "ai_owner", "responding_rep"
            )
            .prefetch_related("reassignments")
            .get(pk=chat.pk)
        )
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
