"""AI agents: list, create, edit (specialty), make one the workspace default."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from routing import actions
from routing.models import AIAgent

from ..access import console_view
from ..forms import AIAgentForm, run_action
from ..vanished import deleted_meanwhile


@console_view
def agent_list(request):
    agents = AIAgent.objects.filter(workspace=request.workspace).annotate(
        open_chats=Count("owned_chats", filter=Q(owned_chats__status="open")),
        routed=Count("decisions", distinct=True),
    )
    return render(request, "console/ai_agents.html", {"agents": agents})


def _agents(request, **_) -> str:
    return reverse("console:ai-agents", kwargs={"ws": request.workspace.id})


def _page(request, form, agent=None, status=200):
    return render(
        request, "console/ai_agent_form.html", {"form": form, "agent": agent}, status=status
    )


@console_view
def agent_create(request):
    form = AIAgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agent = run_action(form, actions.create_ai_agent, request.workspace, **form.cleaned_data)
        if agent is not None:
            messages.success(request, f"Created AI agent {agent.name}.")
            return redirect("console:ai-agents", ws=request.workspace.id)
    return _page(request, form, status=400 if request.method == "POST" else 200)


@console_view
@deleted_meanwhile(_agents)
def agent_edit(request, agent_id):
    agent = get_object_or_404(AIAgent, id=agent_id, workspace=request.workspace)
    if request.method != "POST":
        return _page(request, AIAgentForm(initial=AIAgentForm.initial_for(agent)), agent)
    form = AIAgentForm(request.POST)
    if form.is_valid() and run_action(form, actions.update_ai_agent, agent, **form.cleaned_data):
        messages.success(request, f"Saved {form.cleaned_data['name']}.")
        return redirect("console:ai-agents", ws=request.workspace.id)
    agent.refresh_from_db()
    return _page(request, form, agent, status=400)


@console_view
@deleted_meanwhile(_agents)
@require_POST
def agent_make_default(request, agent_id):
    agent = get_object_or_404(AIAgent, id=agent_id, workspace=request.workspace)
    try:
        actions.update_workspace(request.workspace, default_ai_agent=agent.id)
    except actions.ActionError as exc:
        messages.error(request, exc.text())
    else:
        messages.success(request, f"{agent.name} is now the default AI agent.")
    return redirect("console:ai-agents", ws=request.workspace.id)
