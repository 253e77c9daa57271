"""The meeting API (SPEC 8b); reps' calendars; simulate on a meeting rule.

Routing must not import calendars, so the reps' `calendar` field and
simulate on meeting rules are added from this side: RepCalendarViewSet and
MeetingRuleViewSet subclass routing's viewsets, and calendars/api/urls.py is
mounted before routing's API so these answer /reps/ and /rules/.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from routing.api.idempotency import IDEMPOTENCY_HEADER, idempotent_create
from routing.api.serializers.chats import SimulateSerializer, SimulationSerializer
from routing.api.views.base import WorkspaceScopedMixin
from routing.api.views.chats import refuse_unknown_params, simulated_rule_ref
from routing.api.views.resources import RepViewSet, RuleViewSet
from routing.models import Rep

from .. import actions
from ..availability import localize
from ..models import AVAILABILITY_TTL, BusyBlock, Meeting
from .serializers import (
    AvailabilityRequestSerializer,
    AvailabilitySerializer,
    BusyBlockSerializer,
    CancelSerializer,
    ConflictSerializer,
    MeetingCreateSerializer,
    MeetingFilterSerializer,
    MeetingSerializer,
    MeetingSimulateSerializer,
    RepWithCalendarSerializer,
    RescheduleSerializer,
)

MEETINGS = Meeting.objects.select_related(
    "owner", "lead", "link", "decision", "availability"
).prefetch_related(Prefetch("reps", queryset=Rep.objects.order_by("id")))
BAD = OpenApiResponse(description="Bad input: DRF field errors.")
MISSING = OpenApiResponse(description="Unknown, or another workspace's.")
CONFLICT = OpenApiResponse(ConflictSerializer, description="Taken meanwhile; the slots still free.")


def _rule_ref(ref: dict) -> dict:
    return simulated_rule_ref(ref["id"], ref["name"], ref["version"])


def offer_data(offer, *, simulated: bool = False) -> dict:
    availability = offer.availability
    return {
        "id": str(availability.id) if availability else None,
        "qualified": offer.qualified,
        "rule": _rule_ref(offer.rule) if simulated else offer.rule,
        "segment": {"id": offer.segment.id, "name": offer.segment.name} if offer.segment else None,
        "via": offer.via,
        "logic": offer.logic,
        "duration": offer.booking["duration"],
        "timezone": offer.timezone,
        "slots": localize(offer.slots, offer.timezone),
        "reason": None if offer.qualified else offer.trace["result"]["summary"],
        "context": offer.context,
        "trace": offer.trace,
        "expires_at": (availability.created_at + AVAILABILITY_TTL).isoformat()
        if availability
        else None,
        "simulated": simulated,
    }


# The filters are the list's: availability, booking and a meeting's actions take none.
@extend_schema_view(list=extend_schema(parameters=[MeetingFilterSerializer]))
class MeetingViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Booked meetings; filter by rep (owner or attendee), status and start."""

    model = Meeting
    serializer_class = MeetingSerializer

    def get_queryset(self):
        if self.schema_only:
            return Meeting.objects.none()
        qs = MEETINGS.filter(workspace=self.workspace)
        if self.action != "list":
            return qs
        filters = MeetingFilterSerializer(data=self.request.query_params)
        refuse_unknown_params(self.request, set(filters.fields))  # `?owner=` is a typo
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        if "rep" in f:
            # One row per meeting: a rep attends a meeting once (the M2M is unique), so
            # no DISTINCT, which PostgreSQL can't do over the availability's json trace.
            qs = qs.filter(reps__id=f["rep"])
        if "status" in f:
            qs = qs.filter(status=f["status"])
        if "start_after" in f:
            qs = qs.filter(start__gte=f["start_after"])
        if "start_before" in f:
            qs = qs.filter(start__lt=f["start_before"])
        return qs

    def _out(self, meeting) -> dict:
        return MeetingSerializer(MEETINGS.get(pk=meeting.pk)).data

    @extend_schema(
        request=AvailabilityRequestSerializer,
        responses={200: AvailabilitySerializer, 400: BAD, 404: MISSING},
    )
    @action(detail=False, methods=["post"], serializer_class=AvailabilityRequestSerializer)
    def availability(self, request):
        """The slots offered to a lead (or "qualified": false), to book within an hour."""
        serializer = AvailabilityRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(offer_data(actions.offer(self.workspace, serializer.validated_data)))

    @extend_schema(
        request=MeetingCreateSerializer,
        responses={201: MeetingSerializer, 400: BAD, 404: MISSING, 409: CONFLICT},
        parameters=[IDEMPOTENCY_HEADER],
    )
    def create(self, request, *args, **kwargs):
        """Book one of an availability's slots."""
        serializer = MeetingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def produce(save):
            answer = {}

            def finalize(meeting):
                answer.update(self._out(meeting))
                if save is not None:  # an Idempotency-Key: its record commits with the booking
                    save(answer)

            actions.book(self.workspace, data["availability"], data["start"], finalize=finalize)
            return answer

        return idempotent_create(request, self.workspace, produce, what="meeting")

    @extend_schema(request=CancelSerializer, responses={200: MeetingSerializer, 400: BAD})
    @action(detail=True, methods=["post"], serializer_class=CancelSerializer)
    def cancel(self, request, pk=None):
        """Cancel (idempotent); the slot is free again and stops counting for rotation."""
        meeting = self.get_object()
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.cancel(meeting, serializer.validated_data.get("reason", ""))
        return Response(self._out(meeting))

    @extend_schema(
        request=RescheduleSerializer,
        responses={200: MeetingSerializer, 400: BAD, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], serializer_class=RescheduleSerializer)
    def reschedule(self, request, pk=None):
        """Move the meeting; the same owner, when free then (else 409 with their slots)."""
        meeting = self.get_object()
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.reschedule(meeting, serializer.validated_data["start"])
        return Response(self._out(meeting))

    @extend_schema(request=None, responses={200: MeetingSerializer, 400: BAD})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """The lead did not come (idempotent); only once the meeting has started."""
        meeting = self.get_object()
        actions.no_show(meeting)
        return Response(self._out(meeting))


class RepCalendarViewSet(RepViewSet):
    """Routing's reps, plus each rep's `calendar` and local busy blocks."""

    serializer_class = RepWithCalendarSerializer

    def get_queryset(self):
        if self.schema_only:
            return Rep.objects.none()
        return super().get_queryset().select_related("calendar_connection")

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        calendar = data.pop("calendar", None)
        if calendar is not None:
            actions.set_calendar(instance, calendar)  # validated first: a bad one writes nothing
        obj = type(self).update_action(instance, **data) if data else instance
        return Response(self._out(obj))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        calendar = data.pop("calendar", None)
        with transaction.atomic():
            obj = type(self).create_action(self.workspace, **data)
            if calendar is not None:
                actions.set_calendar(obj, calendar)
        return Response(self._out(obj), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses={200: BusyBlockSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=BusyBlockSerializer,
        responses={201: BusyBlockSerializer, 400: BAD},
    )
    @action(detail=True, methods=["get", "post"], serializer_class=BusyBlockSerializer)
    def busy(self, request, pk=None):
        """The rep's local busy blocks (GET: upcoming and current; POST: add one)."""
        rep = self.get_object()
        if request.method == "GET":
            blocks = BusyBlock.objects.filter(rep=rep, end__gt=timezone.now()).order_by("start")
            page = self.paginate_queryset(blocks)
            if page is not None:
                return self.get_paginated_response(BusyBlockSerializer(page, many=True).data)
            return Response(BusyBlockSerializer(blocks, many=True).data)
        serializer = BusyBlockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        block = actions.add_busy(rep, **serializer.validated_data)
        return Response(BusyBlockSerializer(block).data, status=status.HTTP_201_CREATED)


class BusyBlockViewSet(WorkspaceScopedMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """DELETE /busy/{id}/: remove a local busy block."""

    model = BusyBlock
    serializer_class = BusyBlockSerializer

    def get_queryset(self):
        if self.schema_only:
            return BusyBlock.objects.none()
        return BusyBlock.objects.filter(rep__workspace=self.workspace)

    def perform_destroy(self, instance):
        actions.delete_busy(instance)


class MeetingRuleViewSet(RuleViewSet):
    """Routing's rules; simulate on a meeting rule answers like availability."""

    @extend_schema(
        request=SimulateSerializer,
        # Which shape depends on the rule's kind, not on the body.
        responses={
            200: PolymorphicProxySerializer(
                "SimulationOrAvailability",
                serializers=[SimulationSerializer, AvailabilitySerializer],
                resource_type_field_name=None,
            ),
            400: BAD,
        },
        description="Chat rule: a routing decision with its trace. Meeting rule: the body of "
        "POST /api/v1/meetings/availability/ (plus `timezone`, `start`, `end`) answered like "
        "availability (AvailabilitySerializer) with `simulated: true`; nothing is written. "
        'Both take `version`: "draft" runs the rule\'s draft, a number an earlier version.',
    )
    @action(detail=True, methods=["post"], serializer_class=SimulateSerializer)
    def simulate(self, request, pk=None):
        rule = self.get_object()
        if rule.kind != "meeting":
            return super().simulate(request, pk)
        serializer = MeetingSimulateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = data.pop("version", None)
        offer = actions.simulate(self.workspace, rule, data, version=version)
        return Response(offer_data(offer, simulated=True))
