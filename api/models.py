"""Personal API tokens: a name, a public prefix to find one by, and only a hash of the secret."""

import hashlib

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

# A token reads "ct_<prefix>_<secret>": the prefix finds the row, the whole string is hashed.
TOKEN_START = "ct_"  # noqa: S105 (a marker, not a secret)


def token_hash(token: str) -> str:
    # SHA-256 is enough: a token is 32 random bytes from `secrets`, so nobody can guess it by
    # trying hashes, and a slow password hash would only slow every API request.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A user's personal token for the API: it acts with the user's rights, or reads only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. CMS import.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField("SHA-256 of the token", max_length=64, editable=False)
    read_only = models.BooleanField(default=False, help_text="Refused on every write.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept at most a minute behind (api.actions.note_use): one UPDATE, no history row.
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_START}{self.prefix}…)"

    @property
    def kind(self) -> str:
        return "Read only" if self.read_only else "Read and write"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
