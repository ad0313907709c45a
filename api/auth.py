"""Who is asking: a personal token (Authorization: Bearer) or the browser's session.

A token acts with its user's rights, read from the database on each request like a session's;
a revoked token, or one whose user was deactivated, is no token at all (401). A read-only token
is refused any write (403). Each token is rate limited in fixed one-minute windows counted in
Django's cache (429 with Retry-After).
"""

import hmac
import math
import time

from django.conf import settings
from django.core.cache import cache
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from . import actions
from .models import TOKEN_START, ApiToken, token_hash

RATE_WINDOW_SECONDS = 60
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"Too many requests with this token; try again in {retry_after} s.")


def find_token(value: str) -> ApiToken | None:
    """The live token this string is, or None: unknown, wrong secret, revoked, user inactive."""
    prefix, _, secret = value.removeprefix(TOKEN_START).partition("_")
    if not value.startswith(TOKEN_START) or not prefix or not secret:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(prefix=prefix, user__is_active=True)
        .first()
    )
    # Compared in constant time, so the answer's timing says nothing about the hash.
    if token is None or not hmac.compare_digest(token.key_hash, token_hash(value)):
        return None
    return token


def count_request(token: ApiToken) -> None:
    """Count this request in the token's current window; past API_RATE_LIMIT, refuse it."""
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    key = f"api-rate:{token.pk}:{window}"
    # add() starts the window's counter only if no other request did; incr() is atomic in
    # Redis and in the per-process memory cache alike.
    cache.add(key, 0, RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: this request starts the count again
        cache.add(key, 1, RATE_WINDOW_SECONDS * 2)
        count = 1
    if count > settings.API_RATE_LIMIT:
        retry_after = math.ceil((window + 1) * RATE_WINDOW_SECONDS - now)
        raise RateLimited(max(retry_after, 1))


class TokenAuth(HttpBearer):
    """Authorization: Bearer ct_…, a personal token made on /accounts/tokens/."""

    def authenticate(self, request, token: str):
        found = find_token(token)
        if found is None:
            return None
        count_request(found)
        if found.read_only and request.method not in SAFE_METHODS:
            raise HttpError(403, "This token is read-only: it may not change anything.")
        actions.note_use(found)
        request.user = found.user
        request.api_token = found
        return found.user


class SignedInSession(SessionAuth):
    """The browser's session, for the docs page's "Try it out" (CSRF checked on writes)."""

    def __call__(self, request):
        # A request that brings a token is judged by the token alone, never by a cookie too.
        if request.headers.get("Authorization"):
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def user_for(request):
    """The signed-in user or the token's user, for the docs and schema views; else None."""
    if header := request.headers.get("Authorization", ""):
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or (token := find_token(value.strip())) is None:
            return None
        return token.user
    return request.user if request.user.is_authenticated else None
