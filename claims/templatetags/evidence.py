"""Template filters and tags for showing evidence beside the claim it bears on."""

import datetime
from collections.abc import Callable
from html import escape
from typing import NamedTuple

from django import template
from django.template.defaultfilters import floatformat
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from lib.links import pk_urls
from sources.models import Reliability, Source

from ..balance import EvidenceBalance

register = template.Library()

RELIABILITY_LABELS = dict(Reliability.choices)


@register.filter
def relative_to(published: datetime.date | None, claimed: datetime.date | None) -> str:
    """'3 days after the claim', 'same day as the claim', or '' when either date is unknown."""
    if published is None or claimed is None:
        return ""
    days = (published - claimed).days
    if days == 0:
        return "same day as the claim"
    count = ngettext("%(n)d day", "%(n)d days", abs(days)) % {"n": abs(days)}
    return f"{count} {'after' if days > 0 else 'before'} the claim"


def day_month_year(months: list[str]) -> Callable[[datetime.date], str]:
    """date_format(day, "j M Y") for many days: the month names are read once, not per day.

    `months` are the twelve short names in the active language (short_month_names()).
    """

    def shown(day: datetime.date) -> str:
        return f"{day.day} {months[day.month - 1]} {day.year:04d}"

    return shown


def short_month_names() -> list[str]:
    # As the "M" of Django's date formats: the translated abbreviation, title-cased.
    return [str(MONTHS_3[month]).title() for month in range(1, 13)]


@register.simple_tag(takes_context=True)
def evidence_items(context, items) -> SafeString:
    """The claim page's evidence items, drawn in Python: a claim may carry fifty of them.

    Through an include each item took about 0.18 ms; here it is one f-string with every value
    escaped. The items are rows of EvidenceQuerySet.drawn(), the claim is the page's. The page
    asks for the rights once and passes them in (can_edit, can_remove, ...).
    """
    claim = context["claim"]
    drawing = _Drawing(
        rights={
            name: bool(context.get(name))
            for name in ("can_edit", "can_remove", "can_edit_sources", "can_add_sources")
        },
        user_pk=getattr(context.get("user"), "pk", None),
        csrf_token=escape(context.get("csrf_token") or ""),
        claimed_on=claim.claimed_on,
        editable=not claim.is_published,
        date=day_month_year(short_month_names()),
        source_url=pk_urls("sources:detail"),
        source_edit_url=pk_urls("sources:edit"),
        edit_url=pk_urls("claims:evidence_edit"),
        remove_url=pk_urls("claims:evidence_delete"),
    )
    drawn = "".join(_item(item, drawing) for item in items)
    return mark_safe(drawn)  # noqa: S308 - every value is escaped in _item


class _Drawing(NamedTuple):
    """What every item of one page shares: the rights, the claim, and the ways to draw links."""

    rights: dict
    user_pk: int | None
    csrf_token: str
    claimed_on: datetime.date | None
    editable: bool
    date: Callable[[datetime.date], str]
    source_url: Callable[[int], str]
    source_edit_url: Callable[[int], str]
    edit_url: Callable[[int], str]
    remove_url: Callable[[int], str]


def _item(item: dict, drawing: _Drawing) -> str:
    pk, source_pk, rights = item["pk"], item["source_id"], drawing.rights
    title = item["source__title"]
    html = [f'<li id="evidence-{pk}">\n  <a href="{escape(drawing.source_url(source_pk))}">']
    html.append(f"{escape(title)}</a>")
    if title == Source.title_from_url(item["source__url"]):
        waiting = "title being fetched" if item["title_being_fetched"] else "no title yet"
        html.append(f'\n  <span class="pending-title">({waiting})</span>')
    if rights["can_edit_sources"] or (
        rights["can_add_sources"] and item["source__added_by_id"] == drawing.user_pk
    ):
        edit_source = drawing.source_edit_url(source_pk)
        html.append(f'\n  <a href="{edit_source}" class="edit-source">Edit source</a>')
    html.append('\n  <span class="meta">\n    ')
    if item["source__outlet_id"] is not None:
        reliability = item["source__outlet__reliability"]
        outlet, rating = escape(item["source__outlet__name"]), escape(reliability)
        html.append(
            f'{outlet} <span class="reliability reliability-{rating}">'
            f"{escape(RELIABILITY_LABELS.get(reliability, reliability))}</span>"
        )
    else:
        html.append('No outlet <span class="reliability reliability-unrated">Unrated</span>')
    if published := item["source__published_on"]:
        shown = drawing.date(published)
        html.append(f'\n    · <time datetime="{published.isoformat()}">{escape(shown)}</time>')
        if timing := relative_to(published, drawing.claimed_on):
            html.append(f' <span class="timing">({escape(timing)})</span>')
    if (username := item["added_by__username"]) is not None:
        html.append(f"\n    · added by {escape(username)}")
    html.append("\n  </span>")
    if excerpt := item["excerpt"]:
        html.append(f"\n  <blockquote>{escape(excerpt)}</blockquote>")
    if note := item["note"]:
        html.append(f'\n  <p class="note">{escape(note)}</p>')
    if drawing.editable and (rights["can_edit"] or rights["can_remove"]):
        html.append('\n  <span class="actions">')
        if rights["can_edit"]:
            edit = drawing.edit_url(pk)
            html.append(
                f' <a href="{edit}" hx-get="{edit}" hx-target="#evidence-{pk}"'
                ' hx-swap="outerHTML">Edit</a>'
            )
        if rights["can_remove"]:
            remove = drawing.remove_url(pk)
            html.append(
                f' <form method="post" action="{remove}" class="inline" hx-post="{remove}"'
                ' hx-target="#evidence" hx-swap="outerHTML" hx-confirm="Remove this evidence?">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{drawing.csrf_token}">'
                f'<input type="hidden" name="seen_version" value="{item["version"]}">'
                '<button type="submit">Remove</button></form>'
            )
        html.append("</span>")
    html.append("\n</li>\n")
    return "".join(html)


@register.simple_tag
def evidence_balance(balance: EvidenceBalance) -> SafeString:
    """A claim's evidence balance: its leaning, its counts, and what the leaning rests on.

    Drawn in Python: the article page shows one for each of its claims, and through an included
    template each took about 0.15 ms, most of it the template machinery.
    """
    if balance.too_little:
        weights = (
            f" · reliability weight {floatformat(balance.weight, 2)}, at least "
            f"{floatformat(balance.minimum_weight, 2)} needed to lean either way"
        )
    elif balance.score is not None:
        weights = f" · weighted balance {floatformat(balance.score, 2)}"
    else:
        weights = ""
    return mark_safe(  # noqa: S308 - the label and class are escaped, the rest are numbers
        f'<p class="balance {escape(balance.css_class)}">\n'
        f"  <strong>{escape(str(balance.label))}</strong>\n"
        f'  <span class="meta">{balance.supports} supporting · {balance.contradicts} '
        f"contradicting · {balance.context} context{weights}</span>\n"
        "</p>"
    )
