from django.urls import path, re_path
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from .views.chats import ChatViewSet, DecisionViewSet
from .views.resources import (
    AIAgentViewSet,
    LinkViewSet,
    PoolViewSet,
    RepViewSet,
    RuleViewSet,
    SegmentViewSet,
    WorkspaceView,
)

router = DefaultRouter()
router.register("chats", ChatViewSet, basename="chat")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("reps", RepViewSet, basename="rep")
router.register("ai-agents", AIAgentViewSet, basename="ai-agent")
router.register("pools", PoolViewSet, basename="pool")
router.register("rules", RuleViewSet, basename="rule")
router.register("segments", SegmentViewSet, basename="segment")
router.register("links", LinkViewSet, basename="link")


class NoSuchEndpoint(APIView):
    """Any other /api/v1/... URL (e.g. /reps/0.5/: ids are integers): the API's
    JSON 404 (401 without a token), not Django's HTML page."""

    schema = None  # not an operation of the API

    def dispatch_unknown(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = head = options = dispatch_unknown


urlpatterns = [
    path("workspace/", WorkspaceView.as_view(), name="workspace"),
    *router.urls,
    # Last: only what nothing above (nor calendars.api.urls, included before) matched.
    re_path(r"^.*/$", NoSuchEndpoint.as_view()),
]
