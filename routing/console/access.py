"""Who may see which workspace in the console.

Staff users see the workspaces they are members of; superusers see every
workspace. Anything else is a 404 (as in the API: leak nothing).
"""

from datetime import timedelta
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from routing.models import ConsoleProfile, Workspace
from routing.timezones import viewer_zone_name

from . import vanished


def workspaces_for(user):
    if not user.is_authenticated or not user.is_staff:
        return Workspace.objects.none()
    if user.is_superuser:
        return Workspace.objects.order_by("name", "id")
    return Workspace.objects.filter(memberships__user=user).order_by("name", "id")


def console_view(view):
    """Login + staff required; loads `request.workspace` from the `ws` URL argument.

    An object deleted meanwhile is a 404 or a redirect with a flash (vanished.py)."""

    @wraps(view)
    def wrapper(request, ws, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied("Your account has no access to the Knock console.")
        workspace = workspaces_for(request.user).filter(id=ws).first()
        if workspace is None:
            raise Http404("No such workspace.")
        request.workspace = workspace
        if request.session.get("workspace_id") != workspace.id:
            request.session["workspace_id"] = workspace.id
            remember_workspace(request.user, workspace)
        # Every time on the page (rows, "today", the feed's catch-up) in the viewer's zone.
        request.time_zone = viewer_zone(request.user, workspace)
        with timezone.override(request.time_zone):
            return vanished.call(view, request, *args, **kwargs)

    return wrapper


def remember_workspace(user, workspace) -> None:
    """The last workspace used outlives the session (a log-out flushes the session)."""
    ConsoleProfile.objects.update_or_create(user=user, defaults={"last_workspace": workspace})


def viewer_zone(user, workspace) -> str:
    """The IANA name of the zone this user sees times in: their own choice, else the
    workspace's (routing.timezones)."""
    mine = ConsoleProfile.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return viewer_zone_name(mine or "", workspace.time_zone)


def busiest(workspaces):
    """The workspace with the most chats in the last 30 days (then the most reps)."""
    since = timezone.now() - timedelta(days=30)
    return (
        workspaces.annotate(
            recent=Count("chats", filter=Q(chats__created_at__gte=since), distinct=True),
            people=Count("reps", distinct=True),
        )
        .order_by("-recent", "-people", "name", "id")
        .first()
    )


def home(request):
    """`/` (where a log-in lands): this session's workspace, else the last one used
    (remembered across log-ins), else the busiest one the user can see."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied("Your account has no access to the Knock console.")
    workspaces = workspaces_for(request.user)
    last_id = request.session.get("workspace_id")
    if last_id is None:
        profile = ConsoleProfile.objects.filter(user=request.user).first()
        last_id = profile.last_workspace_id if profile else None
    last = workspaces.filter(id=last_id).first() if last_id else None
    workspace = last or busiest(workspaces)
    if workspace is None:
        raise Http404("You are not a member of any workspace yet. Ask an admin to add you.")
    return redirect("console:home", ws=workspace.id)


def switch(request):
    """The workspace switcher (a GET form: it only navigates, it changes no data)."""
    try:
        ws = int(request.GET.get("ws", ""))
    except ValueError as exc:
        raise Http404("No such workspace.") from exc
    return redirect("console:home", ws=ws)
