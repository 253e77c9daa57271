"""CRUD for reps, AI agents, pools, rules (with segments), links, the workspace."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from routing import actions
from routing.actions import versions as version_actions
from routing.models import AIAgent, KnockLink, Pool, PoolMember, Rep, RoutingRule, Segment

from ..serializers.chats import SimulateSerializer, SimulationSerializer
from ..serializers.resources import (
    AIAgentSerializer,
    LinkSerializer,
    MoveSerializer,
    PoolSerializer,
    ReorderSerializer,
    RepSerializer,
    RuleSerializer,
    RuleUpdateSerializer,
    SegmentCreateSerializer,
    SegmentSerializer,
    WorkspaceSerializer,
)
from .base import ActionViewSet, CreatableActionViewSet, WorkspaceScopedMixin
from .chats import simulation_data
from .drafts import RuleDraftMixin
from .replay import RuleReplayMixin
from .versions import RuleVersionsMixin

SEGMENTS = Segment.objects.select_related(
    "assignee_rep", "assignee_pool", "assignee_agent"
).order_by("order")


class RepViewSet(CreatableActionViewSet):
    model = Rep
    serializer_class = RepSerializer
    create_action = staticmethod(actions.create_rep)
    update_action = staticmethod(actions.update_rep)
    delete_action = staticmethod(actions.delete_rep)


class AIAgentViewSet(CreatableActionViewSet):
    model = AIAgent
    serializer_class = AIAgentSerializer
    create_action = staticmethod(actions.create_ai_agent)
    update_action = staticmethod(actions.update_ai_agent)
    delete_action = staticmethod(actions.delete_ai_agent)


class PoolViewSet(CreatableActionViewSet):
    model = Pool
    serializer_class = PoolSerializer
    create_action = staticmethod(actions.create_pool)
    update_action = staticmethod(actions.update_pool)
    delete_action = staticmethod(actions.delete_pool)

    def get_queryset(self):
        if self.schema_only:
            return Pool.objects.none()
        members = PoolMember.objects.select_related("rep").order_by("id")
        return super().get_queryset().prefetch_related(Prefetch("members", queryset=members))


class LinkViewSet(CreatableActionViewSet):
    model = KnockLink
    serializer_class = LinkSerializer
    create_action = staticmethod(actions.create_link)
    update_action = staticmethod(actions.update_link)
    delete_action = staticmethod(actions.delete_link)


class RuleViewSet(RuleVersionsMixin, RuleDraftMixin, RuleReplayMixin, CreatableActionViewSet):
    model = RoutingRule
    serializer_class = RuleSerializer
    update_serializer_class = RuleUpdateSerializer
    create_action = staticmethod(actions.create_rule)
    update_action = staticmethod(actions.update_rule)
    delete_action = staticmethod(actions.delete_rule)

    def action_kwargs(self) -> dict:
        # delete_rule writes no version: nothing to sign.
        return {} if self.action == "destroy" else {"author": self.api_author()}

    def get_queryset(self):
        if self.schema_only:
            return RoutingRule.objects.none()
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("segments", queryset=SEGMENTS), "chat_links", "meeting_links"
            )
        )

    @extend_schema(request=SegmentCreateSerializer, responses={201: SegmentSerializer})
    @action(detail=True, methods=["post"], serializer_class=SegmentCreateSerializer)
    def segments(self, request, pk=None):
        """Add a segment directly above the fallback."""
        rule = self.get_object()
        serializer = SegmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        segment = actions.add_segment(rule, **serializer.validated_data, **self.action_kwargs())
        return Response(
            SegmentSerializer(SEGMENTS.get(pk=segment.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ReorderSerializer, responses={200: SegmentSerializer(many=True)})
    # The answer is the rule's segments in their new order, all of them: no pagination.
    @action(
        detail=True,
        methods=["post"],
        url_path="reorder",
        serializer_class=ReorderSerializer,
        pagination_class=None,
    )
    def reorder(self, request, pk=None):
        """Save the full order of the rule's segments (every id once; fallback last)."""
        rule = self.get_object()
        serializer = ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.reorder_segments(rule, serializer.validated_data["order"], **self.action_kwargs())
        return Response(SegmentSerializer(SEGMENTS.filter(rule=rule), many=True).data)

    @extend_schema(request=SimulateSerializer, responses={200: SimulationSerializer})
    @action(detail=True, methods=["post"], serializer_class=SimulateSerializer)
    def simulate(self, request, pk=None):
        """Route a lead through this rule with no side effects (no writes, no rotation)."""
        rule = self.get_object()
        serializer = SimulateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        context = data.pop("context", None)
        version = data.pop("version", None)
        routed = actions.simulate(
            self.workspace,
            rule,
            payload=None if context is not None else data,
            context=context,
            version=version,
        )
        return Response(simulation_data(routed))


class SegmentViewSet(ActionViewSet):
    """Segments are created under their rule (POST /rules/{id}/segments/)."""

    model = Segment
    serializer_class = SegmentSerializer
    update_action = staticmethod(actions.update_segment)
    delete_action = staticmethod(actions.delete_segment)
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def action_kwargs(self) -> dict:
        return {"author": version_actions.api_author(self.request.auth)}

    def get_queryset(self):
        if self.schema_only:
            return Segment.objects.none()
        return SEGMENTS.filter(rule__workspace=self.workspace)

    @extend_schema(request=MoveSerializer, responses={200: SegmentSerializer(many=True)})
    @action(detail=True, methods=["post"], serializer_class=MoveSerializer, pagination_class=None)
    def move(self, request, pk=None):
        """Move a segment to `position` (0 = top); the fallback stays last."""
        segment = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.move_segment(segment, serializer.validated_data["position"], **self.action_kwargs())
        return Response(SegmentSerializer(SEGMENTS.filter(rule_id=segment.rule_id), many=True).data)


class WorkspaceView(WorkspaceScopedMixin, GenericAPIView):
    """The caller's workspace: defaults and intent overrides."""

    serializer_class = WorkspaceSerializer

    def get(self, request):
        return Response(WorkspaceSerializer(self.workspace).data)

    def patch(self, request):
        serializer = WorkspaceSerializer(self.workspace, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        workspace = actions.update_workspace(self.workspace, **serializer.validated_data)
        return Response(WorkspaceSerializer(workspace).data)
