from .access import workspaces_for


def console(request):
    """The current workspace and the switcher's list, for every console template."""
    workspace = getattr(request, "workspace", None)
    if workspace is None or not getattr(request, "user", None):
        return {}
    return {"workspace": workspace, "workspaces": workspaces_for(request.user)}
