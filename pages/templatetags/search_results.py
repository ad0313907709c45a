"""The search page's hits, drawn in Python: up to forty a page, each a link, badges and a snippet.

Through the template language each hit took about twenty nodes, each value looked up and escaped
on its own; here a hit is one f-string with every value escaped (the snippet is already safe).
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _badges(claim) -> str:
    status = escape(claim.status)
    badges = f'<span class="badge status-{status}">{escape(claim.get_status_display())}</span>'
    if claim.rating and claim.is_published:
        rating = claim.rating
        badges += f' <span class="badge verdict-{escape(rating.tone)}">{escape(str(rating))}</span>'
    return badges


def _hit(hit, kind: str) -> str:
    found = hit.object
    badges = _badges(found) if kind == "claims" else ""
    return (
        f'\n      <li><a href="{escape(found.get_absolute_url())}">{escape(str(found))}</a>'
        f'\n        {badges}\n        <p class="snippet">{hit.snippet}</p></li>\n      '
    )


@register.simple_tag
def search_hits(hits, kind: str) -> SafeString:
    """The list items of one kind of result ("claims", "articles" or "sources")."""
    return mark_safe("".join(_hit(hit, kind) for hit in hits))  # noqa: S308 - escaped in _hit
