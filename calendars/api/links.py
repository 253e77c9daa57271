"""OpenAPI links of the meeting API and the reps' busy blocks (see routing/api/links.py).

An availability's id and first slot book a meeting; the meeting's id is the
{id} of its detail, cancel, no-show and reschedule; a busy block's id is the
{id} of DELETE /busy/{id}/.
"""

from __future__ import annotations

from routing.api.links import ID, add_links

MEETING = {"id": ID}
CALENDAR_LINKS = {
    ("/api/v1/meetings/availability/", "post", "200"): {
        "BookFirstSlot": {
            "operationId": "v1_meetings_create",
            "requestBody": {
                "availability": ID,
                "start": "$response.body#/slots/0/start",
            },
            "description": "Book the first slot offered (a qualified lead with free slots).",
        },
    },
    ("/api/v1/meetings/", "post", "201"): {
        "GetMeeting": {"operationId": "v1_meetings_retrieve", "parameters": MEETING},
        "CancelMeeting": {"operationId": "v1_meetings_cancel_create", "parameters": MEETING},
        "NoShow": {"operationId": "v1_meetings_no_show_create", "parameters": MEETING},
        "Reschedule": {"operationId": "v1_meetings_reschedule_create", "parameters": MEETING},
    },
    ("/api/v1/reps/", "post", "201"): {
        "AddBusyBlock": {"operationId": "v1_reps_busy_create", "parameters": {"id": ID}},
        "ListBusyBlocks": {"operationId": "v1_reps_busy_list", "parameters": {"id": ID}},
    },
    ("/api/v1/reps/{id}/busy/", "post", "201"): {
        "DeleteBusyBlock": {"operationId": "v1_busy_destroy", "parameters": {"id": ID}},
    },
}


def document_links(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry (see knock/settings.py)."""
    return add_links(result, CALENDAR_LINKS)
