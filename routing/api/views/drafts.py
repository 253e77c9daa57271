"""/api/v1/rules/{id}/draft/ (GET, PUT, DELETE) and .../draft/publish/ (issue 17 items 1, 6).

A mixin of RuleViewSet, like the versions endpoints: `get_object()` is the
caller's workspace's rule, so another workspace's rule is a 404.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from routing.actions import drafts

from ..serializers.drafts import DraftInSerializer, DraftSerializer, draft_data
from ..serializers.resources import RuleSerializer


class RuleDraftMixin:
    def _draft_rule(self):
        rule = self.get_object()
        draft = drafts.get_draft(rule)
        return rule, draft

    @extend_schema(methods=["GET"], responses={200: DraftSerializer})
    @extend_schema(
        methods=["PUT"],
        request=DraftInSerializer,
        responses={200: DraftSerializer, 201: DraftSerializer},
    )
    @extend_schema(methods=["DELETE"], responses={204: OpenApiResponse(description="Discarded.")})
    @action(
        detail=True,
        methods=["get", "put", "delete"],
        url_path="draft",
        serializer_class=DraftSerializer,
        pagination_class=None,
    )
    def draft(self, request, pk=None):
        """The rule's draft: segments routing does not use until it is published.

        GET it (404 when there is none), PUT the whole draft (created from the
        body if there is none: 201), DELETE discards it. The live rule is untouched.
        """
        rule, draft = self._draft_rule()
        if request.method == "GET":
            if draft is None:
                raise NotFound(drafts.NO_DRAFT)
            return Response(DraftSerializer(draft_data(rule, draft)).data)
        if request.method == "DELETE":
            drafts.discard_draft(rule)
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = DraftInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        saved = drafts.update_draft(rule, body.validated_data["segments"], author=self.api_author())
        rule.refresh_from_db()
        code = status.HTTP_201_CREATED if draft is None else status.HTTP_200_OK
        return Response(DraftSerializer(draft_data(rule, saved)).data, status=code)

    @extend_schema(request=None, responses={200: RuleSerializer})
    @action(
        detail=True, methods=["post"], url_path="draft/publish", serializer_class=RuleSerializer
    )
    def publish(self, request, pk=None):
        """Make the draft the live segments, as one new version (signed by this token).

        A 400 when the draft routes like live, or a segment refers to a rep, pool
        or AI agent deleted since (naming the segment); nothing is written then.
        """
        rule = self.get_object()
        drafts.publish_draft(rule, author=self.api_author())
        fresh = self.get_queryset().get(pk=rule.pk)
        return Response(RuleSerializer(fresh, context=self.get_serializer_context()).data)
