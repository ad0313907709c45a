"""Keyset (cursor) pagination: page 40,000 costs what page 1 costs, and nothing is counted.

A page is read by seeking past the last row shown, (sort value, pk) > (last value, last pk), on
an index over the same pair, instead of OFFSET, which reads and drops every earlier row. The
cursor is that pair, signed so that a hand-made cursor is an error, not a query.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core import signing
from django.db import models
from django.db.models import Count, Q, QuerySet

SALT = "keyset-cursor"


class BadCursor(ValueError):
    """The cursor was not made by this site, or not for this ordering."""


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None
    previous_cursor: str | None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _encode(value):
    return value.isoformat() if isinstance(value, datetime.datetime | datetime.date) else value


def _decode(value, model_field):
    if isinstance(model_field, models.DateTimeField):
        return datetime.datetime.fromisoformat(value)
    if isinstance(model_field, models.DateField):
        return datetime.date.fromisoformat(value)
    return value


def _read(row, name: str):
    """A value of a row: a model instance, or a dict from values() naming "pk" among its keys."""
    return row[name] if isinstance(row, dict) else getattr(row, name)


def make_cursor(field: str, row, direction: str) -> str:
    return signing.dumps(
        [field, direction, _encode(_read(row, field)), _read(row, "pk")], salt=SALT
    )


def paginate(queryset: QuerySet, *, field: str, descending: bool, cursor: str | None, size: int):
    """One page of queryset ordered by (field, pk), descending or ascending, after the cursor.

    `field` must be non-null so that the pair orders every row exactly once.
    """
    direction, after = "next", None
    if cursor:
        try:
            cursor_field, direction, value, pk = signing.loads(cursor, salt=SALT)
        except signing.BadSignature as error:
            raise BadCursor("This page link is not valid; start from the first page.") from error
        if cursor_field != field or direction not in ("next", "previous"):
            raise BadCursor("This page link belongs to another ordering.")
        after = (value, pk)
    # Walking backwards is walking forwards in the opposite order, then turning the rows round.
    forwards = descending != (direction == "previous")
    order = [f"-{field}", "-pk"] if forwards else [field, "pk"]
    rows = queryset.order_by(*order)
    if after is not None:
        value = _decode(after[0], queryset.model._meta.get_field(field))
        beyond = "lt" if forwards else "gt"
        # The first condition alone lets the database walk the (field, pk) index from the
        # cursor on; the second drops the rows of the cursor's own value already shown.
        rows = rows.filter(**{f"{field}__{beyond}e": value}).filter(
            Q(**{f"{field}__{beyond}": value}) | Q(**{f"pk__{beyond}": after[1]})
        )
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    if direction == "previous":
        items.reverse()
    has_next = more if direction == "next" else after is not None
    has_previous = after is not None if direction == "next" else more
    return Page(
        items=items,
        next_cursor=make_cursor(field, items[-1], "next") if items and has_next else None,
        previous_cursor=(
            make_cursor(field, items[0], "previous") if items and has_previous else None
        ),
    )


def page_for(request, queryset: QuerySet, *, field: str, descending: bool, size: int) -> Page:
    """The page the request's cursor points at; a broken cursor says so and starts over."""
    try:
        return paginate(
            queryset,
            field=field,
            descending=descending,
            cursor=request.GET.get("cursor"),
            size=size,
        )
    except BadCursor as error:
        messages.error(request, str(error))
        return paginate(queryset, field=field, descending=descending, cursor=None, size=size)


def attach_counts(page: Page, model, field: str, attribute: str) -> None:
    """Set `attribute` on each row of the page to how many `model` rows point at it by `field`.

    One grouped query over the rows on the page only: a list never counts the whole table.
    """
    counts = dict(
        model.objects.filter(**{f"{field}__in": page.items})
        .values(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )
    for row in page:
        setattr(row, attribute, counts.get(row.pk, 0))
