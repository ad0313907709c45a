"""The unread count beside the Inbox link in every page's header."""

from django import template
from django.core.cache import caches

from lib import pagecache

from ..models import Notification

register = template.Library()

# Counting stops here: the header says "99+" rather than reading a long backlog.
UNREAD_SHOWN_MAX = 99


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> str:
    """How many notifications the signed-in user has not read: '', '3' or '99+'.

    At most one query per page, and none while nothing changed: the count is kept under the
    data version, which every notification written or read moves (lib/pagecache.py).
    """
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    key = f"unread:{user.pk}:{pagecache.data_version()}"
    kept = caches[pagecache.CACHE].get(key)
    if kept is not None:
        return kept
    # Ids, not COUNT(*): bounded, and served by the (recipient, read_at) index alone.
    unread = Notification.objects.filter(recipient=user).unread()
    found = len(unread.values_list("pk", flat=True)[: UNREAD_SHOWN_MAX + 1])
    shown = "" if not found else f"{UNREAD_SHOWN_MAX}+" if found > UNREAD_SHOWN_MAX else str(found)
    caches[pagecache.CACHE].set(key, shown, pagecache.TIMEOUT_SECONDS)
    return shown
