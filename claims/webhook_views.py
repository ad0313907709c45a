"""Webhook pages, for administrators: the hooks, registering one, a hook with its delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lib.versioning import StaleEdit

from . import actions
from .forms import WebhookForm
from .models import Webhook

LOG_SIZE = 50
HISTORY_SIZE = 20


def _get_webhook_for_user(user, pk: int) -> Webhook:
    # Administrators only: the permission decorators refuse everyone else.
    return get_object_or_404(Webhook, pk=pk)


@permission_required("claims.view_webhook", raise_exception=True)
def webhook_list(request):
    """Every hook with its latest delivery, in one query whatever their number."""
    hooks = Webhook.objects.with_last_delivery().select_related("created_by")
    return render(request, "claims/webhook_list.html", {"hooks": hooks})


@permission_required("claims.add_webhook", raise_exception=True)
def webhook_create(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook = actions.register_webhook(
                url=form.cleaned_data["url"], events=form.cleaned_data["events"], by=request.user
            )
        except actions.Invalid as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request, "Webhook registered. Give its secret, below, to the receiving system."
            )
            return redirect(hook)
    status = 400 if request.method == "POST" else 200
    return render(request, "claims/webhook_form.html", {"form": form}, status=status)


@permission_required("claims.view_webhook", raise_exception=True)
def webhook_detail(request, pk: int):
    """The hook, its secret, its latest deliveries (the log) and its history."""
    hook = _get_webhook_for_user(request.user, pk)
    deliveries = hook.deliveries.all()[:LOG_SIZE]
    history = hook.history.select_related("history_user").order_by("-history_date")[:HISTORY_SIZE]
    context = {"hook": hook, "deliveries": deliveries, "history": history, "log_size": LOG_SIZE}
    return render(request, "claims/webhook_detail.html", context)


@permission_required("claims.change_webhook", raise_exception=True)
def webhook_edit(request, pk: int):
    hook = _get_webhook_for_user(request.user, pk)
    form = WebhookForm(request.POST or None, instance=hook)
    if request.method == "POST" and form.is_valid():
        try:
            hook = actions.edit_webhook(
                hook,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                active=form.cleaned_data["active"],
                by=request.user,
                seen_version=form.cleaned_data["seen_version"],
            )
        except StaleEdit as stale:
            form.add_error(None, stale.messages)
        except actions.Invalid as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Webhook saved.")
            return redirect(hook)
    if request.method == "POST":
        # The form wrote what was typed onto the instance; the page's title shows the hook saved.
        hook = _get_webhook_for_user(request.user, pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "claims/webhook_form.html", {"form": form, "hook": hook}, status=status)


@require_POST
@permission_required("claims.change_webhook", raise_exception=True)
def webhook_rotate(request, pk: int):
    hook = actions.rotate_webhook_secret(_get_webhook_for_user(request.user, pk), by=request.user)
    messages.success(
        request,
        "New secret made: deliveries are signed with it from now on. Give it to the receiver.",
    )
    return redirect(hook)


@require_POST
@permission_required("claims.change_webhook", raise_exception=True)
def webhook_deactivate(request, pk: int):
    hook = actions.deactivate_webhook(_get_webhook_for_user(request.user, pk), by=request.user)
    messages.success(request, "Webhook deactivated: nothing more is sent to it, retries neither.")
    return redirect(hook)


@require_POST
@permission_required("claims.delete_webhook", raise_exception=True)
def webhook_delete(request, pk: int):
    hook = _get_webhook_for_user(request.user, pk)
    actions.delete_webhook(hook, by=request.user)
    messages.success(request, f"Webhook to {hook.url} deleted, with its delivery log.")
    return redirect("claims:webhooks")


@require_POST
@permission_required("claims.change_webhook", raise_exception=True)
def webhook_ping(request, pk: int):
    hook = _get_webhook_for_user(request.user, pk)
    actions.ping_webhook(hook, by=request.user)
    messages.success(request, "Test ping queued: its delivery appears in the log below.")
    return redirect(hook)
