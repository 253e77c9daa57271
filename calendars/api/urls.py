"""Mounted by knock/urls.py at /api/v1/ BEFORE routing's API: its "reps" and
"rules" routes (routing's viewsets plus calendars' additions) answer first."""

from rest_framework.routers import SimpleRouter

from .views import (
    BusyBlockViewSet,
    MeetingRuleViewSet,
    MeetingViewSet,
    RepCalendarViewSet,
)

router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("reps", RepCalendarViewSet, basename="rep")
router.register("busy", BusyBlockViewSet, basename="busy")
router.register("rules", MeetingRuleViewSet, basename="rule")

urlpatterns = router.urls
