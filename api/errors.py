"""Refusals as HTTP answers, one JSON shape for all, and the answers each operation documents."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaInvalid

from articles.actions import DuplicateArticle
from claims import actions as claim_actions
from lib.keyset import BadCursor

from .auth import RateLimited
from .schemas import DuplicateError, Error, StaleError


class Stale(Exception):
    """A write made on a version that is no longer the row's: 409 with what changed."""

    def __init__(self, stale, *, seen_version: int, current_version: int | None):
        self.changes, self.current_version = stale.changes, current_version
        super().__init__(
            f"This changed after version {seen_version}, which you sent: it is at version "
            f"{current_version} now. Read it again, then make your change again."
        )


class Unprocessable(Exception):
    """Well-formed, but not something that can be stored: 422 with the messages per field."""

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None):
        self.detail, self.errors = detail, errors
        super().__init__(detail)


def form_errors(form) -> Unprocessable:
    errors = {field or "__all__": list(messages) for field, messages in form.errors.items()}
    first = next(iter(errors.values()))[0]
    return Unprocessable(first, errors)


def _schema_errors(error: SchemaInvalid) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        # ("body", "payload", "start") names the field as "start"; ("query", "limit") as "limit".
        where = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
        name = ".".join(where[1:] if len(where) > 1 and where[0] == "payload" else where)
        errors.setdefault(name or "__all__", []).append(item.get("msg", "Invalid."))
    return errors


def install(api) -> None:
    """Every refusal the actions and the schemas raise, answered in the documented shape."""

    def answer(request, status: int, **body):
        return api.create_response(request, body, status=status)

    @api.exception_handler(SchemaInvalid)
    def schema_invalid(request, error):
        return answer(
            request, 422, detail="The request is not valid.", errors=_schema_errors(error)
        )

    @api.exception_handler(Unprocessable)
    def unprocessable(request, error):
        return answer(request, 422, detail=error.detail, errors=error.errors)

    @api.exception_handler(ValidationError)
    def invalid(request, error):
        errors = getattr(error, "message_dict", None) or {"__all__": error.messages}
        return answer(request, 422, detail=" ".join(error.messages), errors=errors)

    @api.exception_handler(BadCursor)
    def bad_cursor(request, error):
        return answer(request, 422, detail=str(error), errors={"cursor": [str(error)]})

    @api.exception_handler(claim_actions.Refused)
    def refused(request, error):
        # Invalid: cannot be stored (422); NoRight: not this user (403); else the state (409).
        if isinstance(error, claim_actions.Invalid):
            return answer(
                request, 422, detail=str(error), errors={error.field or "__all__": [str(error)]}
            )
        return answer(request, error.status, detail=str(error))

    @api.exception_handler(PermissionDenied)
    def no_right(request, error):
        return answer(request, 403, detail=str(error) or "You may not do this.")

    @api.exception_handler(Stale)
    def stale(request, error):
        return answer(
            request,
            409,
            detail=str(error),
            current_version=error.current_version,
            changes=error.changes,
        )

    @api.exception_handler(DuplicateArticle)
    def duplicate(request, error):
        existing = error.existing
        return answer(
            request,
            409,
            detail=str(error),
            existing_id=existing.pk,
            existing_url=existing.get_absolute_url(),
        )

    @api.exception_handler(RateLimited)
    def rate_limited(request, error):
        response = answer(request, 429, detail=str(error))
        response["Retry-After"] = str(error.retry_after)
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, error):
        response = answer(
            request,
            401,
            detail="Sign in, or send a valid token: Authorization: Bearer <token>.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, error):
        return answer(request, error.status_code, detail=str(error))

    @api.exception_handler(Http404)
    def not_found(request, error):
        return answer(request, 404, detail=str(error) or "Not found.")


# Every operation may meet these: a bad query string (400), no credentials (401), a role or
# token that may not (403), input that cannot be stored (422), too many requests (429).
COMMON = {400: Error, 401: Error, 403: Error, 422: Error, 429: Error}


def responses(ok: dict, *, not_found=False, stale=False, conflict=False, duplicate=False) -> dict:
    documented = {**ok, **COMMON}
    if not_found:
        documented[404] = Error
    if stale:
        documented[409] = StaleError
    elif duplicate:
        documented[409] = DuplicateError
    elif conflict:
        documented[409] = Error
    return documented
