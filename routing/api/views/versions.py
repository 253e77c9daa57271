"""/api/v1/rules/{id}/versions/, .../versions/{n}/, .../diff/, .../rollback/ (issue 17).

A mixin of RuleViewSet: `get_object()` is the caller's workspace's rule, so
another workspace's rule is a 404 like everywhere else in the API.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from routing import actions
from routing.actions import drafts
from routing.actions import versions as version_actions
from routing.models import RuleVersion

from ..serializers.versions import (
    DiffQuerySerializer,
    RollbackSerializer,
    RuleDiffSerializer,
    RuleVersionListSerializer,
    RuleVersionSerializer,
    version_data,
)


class RuleVersionsMixin:
    def api_author(self) -> str:
        return version_actions.api_author(self.request.auth)

    @extend_schema(responses={200: RuleVersionListSerializer(many=True)})
    # The whole history, newest first: it is small (one row per edit), so no pagination.
    @action(
        detail=True,
        methods=["get"],
        serializer_class=RuleVersionListSerializer,
        pagination_class=None,
    )
    def versions(self, request, pk=None):
        """The rule's versions: who made each, when, and what changed."""
        rule = self.get_object()
        rows = version_actions.history(rule)
        return Response(RuleVersionListSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH)],
        responses={200: RuleVersionSerializer},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+)",
        serializer_class=RuleVersionSerializer,
        pagination_class=None,
    )
    def version(self, request, pk=None, number=None):
        """The rule and its segments as of version `number` (from its snapshot)."""
        rule = self.get_object()
        found = RuleVersion.objects.filter(rule=rule, version=int(number)).first()
        if found is None:
            raise NotFound(f"This rule has no version {number}.")
        return Response(RuleVersionSerializer(version_data(found)).data)

    @extend_schema(parameters=[DiffQuerySerializer], responses={200: RuleDiffSerializer})
    @action(detail=True, methods=["get"], serializer_class=RuleDiffSerializer)
    def diff(self, request, pk=None):
        """What changed between `from` and `to` (version numbers, or "draft" for the
        rule's draft): segments added, removed, moved, changed (conditions,
        assignee or booking), in words."""
        rule = self.get_object()
        query = DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = drafts.diff_any(rule, query.validated_data["from"], query.validated_data["to"])
        return Response(RuleDiffSerializer(data).data)

    @extend_schema(request=RollbackSerializer, responses={201: RuleVersionSerializer})
    @action(detail=True, methods=["post"], serializer_class=RollbackSerializer)
    def rollback(self, request, pk=None):
        """Make an earlier version live again, as a new version (history is append-only)."""
        rule = self.get_object()
        body = RollbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = actions.rollback(rule, body.validated_data["version"], author=self.api_author())
        return Response(
            RuleVersionSerializer(version_data(created)).data, status=status.HTTP_201_CREATED
        )
