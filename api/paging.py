"""A list's page: the list pages' own keyset paging (lib.keyset), with the next page's URL."""

from django.core.exceptions import PermissionDenied

from lib import keyset

from .errors import form_errors

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def require(request, *rights: str) -> None:
    """The rights a page view asks for, asked of the token's or the session's user."""
    if not request.user.has_perms(rights):
        raise PermissionDenied("Your role may not do this.")


def filtered(form, queryset):
    """The list's own filter form applied; filters it refuses are a 422, never ignored."""
    if form.is_bound and not form.is_valid():
        raise form_errors(form)
    return form.filter(queryset)


def filters_from(query) -> dict:
    """A filter form's data from the query's fields set (None means not given)."""
    return {name: value for name, value in query.dict().items() if value not in (None, "")}


def origin_of(request) -> str:
    """https://host, so that every link the API gives is absolute."""
    return request.build_absolute_uri("/").rstrip("/")


def page_of(request, queryset, *, field: str, descending: bool, cursor: str | None, limit: int):
    """{"items": rows, "next": URL or None, "cursor": …}; a broken cursor is a 422."""
    page = keyset.paginate(
        queryset, field=field, descending=descending, cursor=cursor or None, size=limit
    )
    next_url = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"items": page.items, "next": next_url, "cursor": page.next_cursor}
