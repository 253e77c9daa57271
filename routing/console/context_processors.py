from .access import workspaces_for


def console(request):
    """The current workspace and the switcher's list, for every console template."""
    workspace = getattr(request, "workspace", None)
    if workspace is None or not getattr(request, "user", None):
        return {}
    return {"workspace": workspace, "workspaces": switcher(workspaces_for(request.user))}


def _folded(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def switcher(workspaces) -> list:
    """The switcher's list; names that look alike ("Acme Inc" / "ACME, Inc.") show the slug."""
    workspaces = list(workspaces)
    seen: dict[str, int] = {}
    for w in workspaces:
        seen[_folded(w.name)] = seen.get(_folded(w.name), 0) + 1
    for w in workspaces:
        w.switcher_label = f"{w.name} ({w.slug})" if seen[_folded(w.name)] > 1 else w.name
    return workspaces
