from django.urls import path
from rest_framework.routers import DefaultRouter

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

urlpatterns = [
    path("workspace/", WorkspaceView.as_view(), name="workspace"),
    *router.urls,
]
