"""Knock Links: list, create, edit, deactivate."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from routing import actions
from routing.models import KnockLink

from ..access import console_view
from ..forms import LinkForm, run_action
from ..vanished import deleted_meanwhile


def _links(request, **_) -> str:
    return reverse("console:links", kwargs={"ws": request.workspace.id})


def public_url(request, link: KnockLink) -> str:
    return request.build_absolute_uri(
        reverse("public-link", kwargs={"workspace": link.workspace.slug, "slug": link.slug})
    )


@console_view
def link_list(request):
    links = list(
        KnockLink.objects.filter(workspace=request.workspace)
        .select_related("chat_rule", "meeting_rule", "workspace")
        .order_by("-is_active", "name")
    )
    for link in links:
        link.public_url = public_url(request, link)
    form = LinkForm(workspace=request.workspace)
    return render(request, "console/links.html", {"links": links, "form": form})


@console_view
def link_create(request):
    form = LinkForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        link = run_action(form, actions.create_link, request.workspace, **form.action_kwargs())
        if link is not None:
            messages.success(request, f"Created link “{link.name}”.")
            return redirect("console:links", ws=request.workspace.id)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/link_form.html", {"form": form}, status=status)


@console_view
@deleted_meanwhile(_links)
def link_edit(request, link_id):
    link = get_object_or_404(KnockLink, id=link_id, workspace=request.workspace)
    if request.method != "POST":
        form = LinkForm(initial=LinkForm.initial_for(link), workspace=request.workspace)
        return render(request, "console/link_form.html", {"form": form, "link": link})
    form = LinkForm(request.POST, workspace=request.workspace)
    if form.is_valid() and run_action(form, actions.update_link, link, **form.action_kwargs()):
        messages.success(request, f"Saved link “{form.cleaned_data['name']}”.")
        return redirect("console:links", ws=request.workspace.id)
    return render(request, "console/link_form.html", {"form": form, "link": link}, status=400)


@console_view
@deleted_meanwhile(_links)
@require_POST
def link_toggle(request, link_id):
    link = get_object_or_404(KnockLink, id=link_id, workspace=request.workspace)
    actions.update_link(link, is_active=not link.is_active)
    state = "activated" if link.is_active else "deactivated"
    messages.success(request, f"Link “{link.name}” {state}.")
    return redirect("console:links", ws=request.workspace.id)
