"""Who may see which workspace in the console.

Staff users see the workspaces they are members of; superusers see every
workspace. Anything else is a 404 (as in the API: leak nothing).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from routing.models import Workspace


def workspaces_for(user):
    if not user.is_authenticated or not user.is_staff:
        return Workspace.objects.none()
    if user.is_superuser:
        return Workspace.objects.order_by("name", "id")
    return Workspace.objects.filter(memberships__user=user).order_by("name", "id")


def console_view(view):
    """Login + staff required; loads `request.workspace` from the `ws` URL argument."""

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
        request.session["workspace_id"] = workspace.id
        return view(request, *args, **kwargs)

    return wrapper


def home(request):
    """`/`: the last workspace used, else the first one the user can see."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied("Your account has no access to the Knock console.")
    workspaces = workspaces_for(request.user)
    last = workspaces.filter(id=request.session.get("workspace_id")).first()
    workspace = last or workspaces.first()
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
