"""Webhooks: what a claim event tells the hooks subscribed to it, signed, and how it is sent.

`announce` is called by the claims actions inside their transaction: it stores one delivery per
active hook subscribed to the event and queues each for after the commit, so an action rolled
back announces nothing. `attempt` sends one delivery through sources.fetching's safe POST (the
same address checks, pinning and deadline as article import; redirects are never followed).
The README's "Webhooks" section documents the payload, the headers and the signature.
"""

import datetime
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lib.links import url_for_pk
from sources import fetching

from .models import PING, Claim, Evidence, Webhook, WebhookDelivery

SIGNATURE_HEADER = "X-ClaimTracker-Signature"
EVENT_HEADER = "X-ClaimTracker-Event"
DELIVERY_HEADER = "X-ClaimTracker-Delivery"
# Waits before each retry; after the last one fails, the delivery gives up.
RETRY_DELAYS = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A receiver's answer matters only by its status; a little of it is kept for the log.
ANSWER_MAX_BYTES = 64 * 1024
ERROR_MAX_LENGTH = WebhookDelivery._meta.get_field("error").max_length


def new_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: sha256=<hex HMAC-SHA256 of the exact body bytes>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def destination_refusal(url: str) -> str:
    """Why this address may not receive webhooks ('' when it may): the article fetcher's rules."""
    try:
        fetching.check_destination(url, frozenset(settings.FETCH_ALLOWED_HOSTS))
    except fetching.FetchError as error:
        return str(error)
    return ""


def now_iso() -> str:
    return timezone.now().isoformat().replace("+00:00", "Z")


def claim_payload(claim: Claim) -> dict:
    published = claim.is_published
    return {
        "id": claim.pk,
        "text": claim.text,
        "status": claim.status,
        "version": claim.version,
        "url": settings.SITE_URL.rstrip("/") + url_for_pk("public_claim", claim.pk)
        if published
        else None,
        "rating": claim.rating.label if published and claim.rating_id else None,
    }


def evidence_payload(evidence: Evidence) -> dict:
    return {
        "id": evidence.pk,
        "stance": evidence.stance,
        "source": {"title": evidence.source.title, "url": evidence.source.url},
    }


def payload_for(event: str, claim: Claim, *, by, evidence: Evidence | None = None) -> dict:
    payload = {
        "event": event,
        "occurred_at": now_iso(),
        "actor": by.get_username() if by is not None else None,
        "claim": claim_payload(claim),
    }
    if evidence is not None:
        payload["evidence"] = evidence_payload(evidence)
    return payload


def ping_payload(hook: Webhook, *, by) -> dict:
    """The test an administrator sends: no claim, only the hook it is for."""
    return {"event": PING, "occurred_at": now_iso(), "actor": by.get_username(), "webhook": hook.pk}


def announce(event: str, claim: Claim, *, by, evidence: Evidence | None = None) -> list:
    """One delivery per active hook subscribed to `event`, each sent once the action commits."""
    hooks = [hook for hook in Webhook.objects.filter(active=True) if hook.subscribes_to(event)]
    if not hooks:
        return []
    payload = payload_for(event, claim, by=by, evidence=evidence)
    deliveries = [
        WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload) for hook in hooks
    ]
    for delivery in deliveries:
        queue_after_commit(delivery)
    return deliveries


def queue_after_commit(delivery: WebhookDelivery) -> None:
    from . import tasks  # the task module imports the actions, which import this one

    delivery_id = delivery.pk
    transaction.on_commit(lambda: tasks.deliver_webhook.enqueue(delivery_id), robust=True)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The bytes sent and signed: the stored payload, with the delivery's id and when it is sent.

    Keys are sorted and the separators fixed, so the same payload gives the same bytes whatever
    the database did to the JSON; `sent_at` lets a receiver refuse an old delivery replayed.
    """
    sent = {**delivery.payload, "delivery": delivery.pk, "sent_at": now_iso()}
    return json.dumps(sent, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Outcome:
    """What one attempt met: a status code, or the reason nothing was sent or answered."""

    delivered: bool
    status_code: int | None = None
    error: str = ""


def attempt(delivery: WebhookDelivery) -> Outcome:
    """Send the delivery once, outside any transaction; never raises for what the network does."""
    hook = delivery.webhook
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        SIGNATURE_HEADER: sign(hook.secret, body),
    }
    try:
        answer = fetching.post(
            hook.url,
            body,
            headers=headers,
            timeout=settings.FETCH_TIMEOUT_SECONDS,
            max_bytes=ANSWER_MAX_BYTES,
            allowed_hosts=frozenset(settings.FETCH_ALLOWED_HOSTS),
        )
    except fetching.FetchError as error:
        return Outcome(delivered=False, error=str(error)[:ERROR_MAX_LENGTH])
    if 200 <= answer.status < 300:
        return Outcome(delivered=True, status_code=answer.status)
    said = answer.body[:200].decode("utf-8", "replace").strip()
    error = f"The receiver answered {answer.status} {answer.reason}".strip()
    if 300 <= answer.status < 400:
        error += " (redirects are not followed)"
    if said:
        error += f": {said}"
    return Outcome(delivered=False, status_code=answer.status, error=error[:ERROR_MAX_LENGTH])


def retry_delay(attempts: int) -> datetime.timedelta | None:
    """How long to wait after `attempts` failed attempts, or None once there is none left."""
    return RETRY_DELAYS[attempts - 1] if attempts < MAX_ATTEMPTS else None
