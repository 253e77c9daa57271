"""The 404 answer (`handler404`): the site's 404 page, or for an htmx request a fragment.

htmx swaps a 4xx answer into its target (templates/base.html's responseHandling). A
full 404 page there was a page inside a card, or nothing visible; an object deleted
meanwhile (the rule a Test button posts to, the replay run a card polls) now says so
where the user looks, with a link that reloads the page. A polling card replaced by
it stops polling (the fragment has no hx-trigger).
"""

from __future__ import annotations

from django.shortcuts import render
from django.views import defaults


def page_not_found(request, exception):
    if request.headers.get("HX-Request") == "true":
        return render(request, "partials/_not_found.html", status=404)
    return defaults.page_not_found(request, exception)
