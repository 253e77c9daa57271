"""The viewer's own console settings: the time zone their times are shown in."""

from django.contrib import messages
from django.shortcuts import redirect, render

from routing import actions
from routing.models import ConsoleProfile

from ..access import console_view
from ..forms import ViewerTimeZoneForm, run_action


@console_view
def profile(request):
    workspace = request.workspace
    if request.method == "POST":
        form = ViewerTimeZoneForm(request.POST, workspace=workspace)
        if form.is_valid() and run_action(
            form, actions.set_viewer_time_zone, request.user, form.cleaned_data["time_zone"]
        ):
            messages.success(request, "Time zone saved: times are now shown in it.")
            return redirect("console:profile", ws=workspace.id)
        status = 400
    else:
        mine = ConsoleProfile.objects.filter(user=request.user).values_list("time_zone", flat=True)
        form = ViewerTimeZoneForm(initial={"time_zone": mine.first() or ""}, workspace=workspace)
        status = 200
    return render(request, "console/profile.html", {"form": form}, status=status)
