"""A user's API tokens: the list, a new one (shown once), revoking one after a confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from . import actions
from .forms import TokenForm
from .models import ApiToken


def _get_token_for_user(user, pk: int) -> ApiToken:
    # Only one's own: someone else's token is as good as missing.
    return get_object_or_404(ApiToken, pk=pk, user=user)


def token_list(request):
    """Every signed-in user's own tokens; a new one is shown on this page once, never again."""
    form = TokenForm(request.POST or None)
    new_token, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _, new_token = actions.create_token(
                    by=request.user,
                    name=form.cleaned_data["name"],
                    read_only=form.cleaned_data["access"] == "read",
                )
            except ValidationError as error:
                form.add_error("name", error.message_dict.get("name", error.messages))
            else:
                form = TokenForm()
        if new_token is None:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "new_token": new_token}
    response = render(request, "api/tokens.html", context, status=status)
    if new_token:
        response["Cache-Control"] = "no-store"  # the only copy of the token: never cached
    return response


def token_revoke(request, pk: int):
    """Are you sure? (GET); then the token stops working (POST)."""
    token = _get_token_for_user(request.user, pk)
    if request.method == "POST":
        actions.revoke_token(token, by=request.user)
        messages.success(request, f"Revoked “{token.name}”: it no longer works.")
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
