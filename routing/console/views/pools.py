"""Pools: create, members (weights, pause), and each member's share against target."""

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from routing import actions
from routing.models import Decision, Pool

from ..access import console_view
from ..forms import AddMemberForm, PoolForm, run_action
from ..vanished import deleted_meanwhile


@console_view
def pool_list(request):
    pools = (
        Pool.objects.filter(workspace=request.workspace)
        .prefetch_related("members__rep")
        .order_by("name")
    )
    return render(request, "console/pools.html", {"pools": pools, "form": PoolForm()})


@console_view
@require_POST
def pool_create(request):
    form = PoolForm(request.POST)
    if form.is_valid():
        pool = run_action(form, actions.create_pool, request.workspace, **form.cleaned_data)
        if pool is not None:
            messages.success(request, f"Created pool “{pool.name}”. Add its members.")
            return redirect("console:pool", ws=request.workspace.id, pool_id=pool.id)
    pools = Pool.objects.filter(workspace=request.workspace)
    return render(request, "console/pools.html", {"pools": pools, "form": form}, status=400)


def _shares(pool: Pool, members) -> list[dict]:
    now = timezone.now()
    counts = Decision.objects.filter(pool=pool).aggregate(
        **{
            f"d{days}_{m.rep_id}": Count(
                "id", filter=Q(rep_id=m.rep_id, created_at__gte=now - timedelta(days=days))
            )
            for m in members
            for days in (7, 30)
        },
        d7=Count("id", filter=Q(created_at__gte=now - timedelta(days=7))),
        d30=Count("id", filter=Q(created_at__gte=now - timedelta(days=30))),
    )
    active_weight = sum(m.weight for m in members if not m.is_paused) or 1
    rows = []
    for m in members:
        target = 0 if m.is_paused else m.weight / active_weight
        row = {"member": m, "target": round(target * 100, 1)}
        for days in (7, 30):
            total = counts[f"d{days}"]
            n = counts[f"d{days}_{m.rep_id}"]
            row[f"n{days}"] = n
            row[f"share{days}"] = round(100 * n / total, 1) if total else 0
        rows.append(row)
    return rows


def _detail(request, pool, form=None, add_form=None, status=200, member_errors=None):
    """`member_errors` ({rep id: text}) shows a refused member save beside its weight."""
    members = list(pool.members.select_related("rep").order_by("id"))
    rows = _shares(pool, members) if members else []
    for row in rows:
        row["error"] = (member_errors or {}).get(row["member"].rep_id, "")
    return render(
        request,
        "console/pool_detail.html",
        {
            "pool": pool,
            "rows": rows,
            "form": form
            or PoolForm(
                initial={
                    "name": pool.name,
                    "strategy": pool.strategy,
                    "respect_working_hours": pool.respect_working_hours,
                }
            ),
            "add_form": add_form or AddMemberForm(pool=pool),
        },
        status=status,
    )


def _pool(request, pool_id) -> Pool:
    return get_object_or_404(Pool, id=pool_id, workspace=request.workspace)


def _pool_or_pools(request, pool_id, **_) -> str:
    """Where a POST whose object vanished goes: the pool's page, else the pools list."""
    ws = request.workspace.id
    if Pool.objects.filter(id=pool_id, workspace_id=ws).exists():
        return reverse("console:pool", kwargs={"ws": ws, "pool_id": pool_id})
    return reverse("console:pools", kwargs={"ws": ws})


@console_view
@deleted_meanwhile(_pool_or_pools)
def pool_detail(request, pool_id):
    pool = _pool(request, pool_id)
    if request.method != "POST":
        return _detail(request, pool)
    form = PoolForm(request.POST)
    if form.is_valid() and run_action(form, actions.update_pool, pool, **form.cleaned_data):
        messages.success(request, "Pool saved.")
        return redirect("console:pool", ws=request.workspace.id, pool_id=pool.id)
    return _detail(request, pool, form=form, status=400)


def _members(pool):
    return [
        {"rep": m.rep_id, "weight": m.weight, "is_paused": m.is_paused}
        for m in pool.members.order_by("id")
    ]


@console_view
@deleted_meanwhile(_pool_or_pools)
@require_POST
def pool_add_member(request, pool_id):
    pool = _pool(request, pool_id)
    form = AddMemberForm(request.POST, pool=pool)
    if form.is_valid():
        members = [
            *_members(pool),
            {"rep": form.cleaned_data["rep"].id, "weight": form.cleaned_data["weight"]},
        ]
        if run_action(form, actions.update_pool, pool, members=members):
            messages.success(request, f"Added {form.cleaned_data['rep'].name}.")
            return redirect("console:pool", ws=request.workspace.id, pool_id=pool.id)
    return _detail(request, pool, add_form=form, status=400)


@console_view
@deleted_meanwhile(_pool_or_pools)
@require_POST
def pool_update_member(request, pool_id, rep_id):
    """Change a member's weight or pause flag, or remove them (`remove=1`)."""
    pool = _pool(request, pool_id)
    members = _members(pool)
    member = next((m for m in members if m["rep"] == rep_id), None)
    if member is None:
        messages.error(request, "That rep is not a member of this pool.")
        return redirect("console:pool", ws=request.workspace.id, pool_id=pool.id)
    if request.POST.get("remove"):
        members.remove(member)
    else:
        try:
            member["weight"] = int(request.POST.get("weight", member["weight"]))
        except ValueError:
            member["weight"] = -1  # refused with a clear message by the action
        member["is_paused"] = request.POST.get("is_paused") == "on"
    try:
        actions.update_pool(pool, members=members)
    except actions.ActionError as exc:
        # Beside the member's weight, not a flash (issue 14 item 10); nothing saved.
        pool.refresh_from_db()
        return _detail(request, pool, status=400, member_errors={rep_id: exc.text()})
    messages.success(request, "Members saved.")
    return redirect("console:pool", ws=request.workspace.id, pool_id=pool.id)


@console_view
@deleted_meanwhile(_pool_or_pools)
@require_POST
def pool_delete(request, pool_id):
    pool = _pool(request, pool_id)
    try:
        actions.delete_pool(pool)
    except actions.ActionError as exc:
        messages.error(request, exc.text())
        return redirect("console:pool", ws=request.workspace.id, pool_id=pool.id)
    messages.success(request, f"Deleted pool “{pool.name}”.")
    return redirect("console:pools", ws=request.workspace.id)
