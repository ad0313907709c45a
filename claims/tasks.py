"""Background work for claims: sending webhook deliveries, and retrying them with a backoff."""

import logging

from django.tasks import task

from . import actions, webhooks
from .models import WebhookDelivery

logger = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong while sending this delivery; it will be tried again."
DEACTIVATED = "The webhook was deactivated before this delivery was sent."
FINISHED = (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.GAVE_UP)


@task
def deliver_webhook(delivery_id: int) -> None:
    """One attempt, sent outside any transaction; a failure queues the next with `run_after`.

    The backend's worker holds the retry (django-tasks-db stores run_after and runs the task
    only once it has passed), so nothing here waits or loops.
    """
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in FINISHED:
        return  # the hook was deleted, or a copy of this task ran already
    if not delivery.webhook.active and delivery.event != webhooks.PING:
        actions.give_up_delivery(delivery.pk, DEACTIVATED)
        return
    try:
        outcome = webhooks.attempt(delivery)
    except Exception:
        logger.exception("Webhook delivery %s failed unexpectedly", delivery.pk)
        outcome = webhooks.Outcome(delivered=False, error=UNEXPECTED)
    # The action has committed when it returns (tasks run outside any transaction).
    if (retry_at := actions.record_delivery_attempt(delivery.pk, outcome)) is not None:
        queue_retry(delivery_id, retry_at)


def queue_retry(delivery_id: int, when) -> None:
    backend = deliver_webhook.get_backend()
    if not backend.supports_defer:
        # A backend that runs tasks at once (the tests' default) cannot hold one until later.
        logger.warning(
            "Task backend %s cannot defer: delivery %s not retried", backend.alias, delivery_id
        )
        return
    deliver_webhook.using(run_after=when).enqueue(delivery_id)
