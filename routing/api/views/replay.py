"""POST /api/v1/rules/{id}/replay/ (issue 17 item 3): a RuleViewSet mixin.

Runs in the request (50,000 decisions at most; the core replays about 10,000
a second on this machine) and writes nothing: no decision, chat, lead,
rotation, delivery, nor a ReplayRun (those are the console's).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from knock import request_gate
from routing.actions import replay as replay_actions

from ..serializers.replay import ReplayInSerializer, ReplayResultSerializer


class RuleReplayMixin:
    @extend_schema(request=ReplayInSerializer, responses={200: ReplayResultSerializer})
    @action(detail=True, methods=["post"], serializer_class=ReplayInSerializer)
    def replay(self, request, pk=None):
        """What a version (or the draft) would have done to the rule's past leads."""
        rule = self.get_object()
        body = ReplayInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # Seconds of work at most: it holds no place in the process's gate meanwhile,
        # so that chats keep being routed beside it (knock/request_gate.py).
        with request_gate.outside():
            result = replay_actions.run(
                rule,
                data["version"],
                since=data.get("since"),
                until=data.get("until"),
                limit=data.get("limit"),
            )
        return Response(ReplayResultSerializer(result).data)
