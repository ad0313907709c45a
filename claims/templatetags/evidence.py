"""Template filters for showing evidence beside the claim it bears on."""

import datetime

from django import template
from django.utils.translation import ngettext

register = template.Library()


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
