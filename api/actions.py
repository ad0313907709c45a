"""Every write to API tokens: creating one (shown once), revoking one, noting its use."""

import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lib.text import invalid_code_point
from lib.versioning import save_first_version

from .models import TOKEN_START, ApiToken, token_hash

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# last_used_at is written at most once a minute per token: a busy script costs no write a call.
LAST_USED_EVERY_SECONDS = 60


def _require_own(token: ApiToken, by) -> None:
    if by is None or not by.is_authenticated or (token.user_id != by.pk and not by.is_superuser):
        raise PermissionDenied("You may revoke only your own tokens.")


@transaction.atomic
def create_token(*, by, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """A new token for `by`, and the token itself: the only time it exists outside a hash."""
    if by is None or not by.is_authenticated or not by.is_active:
        raise PermissionDenied("Sign in to create an API token.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. what it is for."})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": f"The name is longer than {NAME_MAX_LENGTH} characters."})
    if problem := invalid_code_point(name):
        raise ValidationError({"name": problem})
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        user=by, name=name, prefix=prefix, key_hash=token_hash(token), read_only=read_only
    )
    save_first_version(row, by=by, reason="Created")
    return row, token


@transaction.atomic
def revoke_token(token: ApiToken, *, by) -> ApiToken:
    """The token stops working at once; its row stays, for the record."""
    _require_own(token, by)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token._history_user = by
        token._change_reason = "Revoked"
        token.save(update_fields=["revoked_at"])
    return token


def note_use(token: ApiToken) -> None:
    """Record that the token was used now, unless that was already done within the minute."""
    if cache.add(f"api-token-used:{token.pk}", True, LAST_USED_EVERY_SECONDS):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
