"""calendars' console pages (mounted by knock/urls.py before routing's console).

Routing's templates link here by URL name ("calendars:meetings", ...); routing
never imports calendars. The Google settings page has its own module (google.py).
"""

from django.urls import path

from . import calendars, meetings, simulate

app_name = "calendars"

W = "w/<int:ws>/"
urlpatterns = [
    path(W + "meetings/", meetings.meeting_list, name="meetings"),
    path(W + "meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path(W + "meetings/<int:meeting_id>/cancel/", meetings.meeting_cancel, name="meeting-cancel"),
    path(
        W + "meetings/<int:meeting_id>/reschedule/",
        meetings.meeting_reschedule,
        name="meeting-reschedule",
    ),
    path(
        W + "meetings/<int:meeting_id>/no-show/", meetings.meeting_no_show, name="meeting-no-show"
    ),
    path(W + "reps/<int:rep_id>/calendar/", calendars.rep_calendar, name="rep-calendar"),
    path(W + "reps/<int:rep_id>/calendar/busy/", calendars.busy_add, name="busy-add"),
    path(W + "busy/<int:block_id>/delete/", calendars.busy_delete, name="busy-delete"),
    path(
        W + "rules/<int:rule_id>/meeting-test/",
        simulate.meeting_rule_test,
        name="meeting-rule-test",
    ),
]
