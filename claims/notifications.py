"""Telling people about a claim: one notification per event and recipient, and its e-mail.

The claims actions decide who hears of what (they know the workflow); this module writes the
notifications and sends the e-mails once the action's transaction has committed, so nobody is
told of a change that was rolled back.
"""

import logging
import re

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Claim, Notification, NotificationKind

log = logging.getLogger(__name__)

TEXT_MAX_LENGTH = Notification._meta.get_field("text").max_length
# Django's usernames: letters, digits and @ . + - _. A mention ends before trailing punctuation.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*[\w+-])")


def mentioned_names(body: str) -> list[str]:
    """The usernames written as @username in a comment, each once, in the order written."""
    return list(dict.fromkeys(MENTION.findall(body)))


def readers(usernames) -> list[User]:
    """The active users with these names who may read claims: others are never told anything."""
    may_read = Permission.objects.filter(codename="view_claim", content_type__app_label="claims")
    return list(
        User.objects.filter(
            Q(groups__permissions__in=may_read)
            | Q(user_permissions__in=may_read)
            | Q(is_superuser=True),
            username__in=list(usernames),
            is_active=True,
        ).distinct()
    )


def short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def notify(claim: Claim, kind: NotificationKind, *, actor, recipients, text: str) -> list:
    """Tell each recipient once, never the actor themself; e-mail those with an address."""
    chosen = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk != actor.pk:
            chosen.setdefault(user.pk, user)
    if not chosen:
        return []
    text = text if len(text) <= TEXT_MAX_LENGTH else text[: TEXT_MAX_LENGTH - 1] + "…"
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, claim=claim, kind=kind, actor=actor, text=text)
        for user in chosen.values()
    )
    addresses = [user.email for user in chosen.values() if user.email]
    if addresses:
        url = settings.SITE_URL.rstrip("/") + claim.get_absolute_url()
        transaction.on_commit(lambda: send_emails(addresses, text, url))
    return notifications


def send_emails(addresses: list[str], text: str, url: str) -> None:
    """One message per person (nobody sees who else was told), over one connection.

    Sent after the commit: a mail server that fails must not undo the change, so it is logged.
    """
    body = f"{text}\n\nOpen the claim: {url}\n\nYour inbox lists everything you were told."
    messages = [
        EmailMessage(f"Claim Tracker: {short(text, 120)}", body, None, [address])
        for address in addresses
    ]
    try:
        mailers.default.send_messages(messages)
    except Exception:
        log.exception("Could not e-mail %d notification(s) about %s", len(messages), url)


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user).unread().update(read_at=timezone.now())
