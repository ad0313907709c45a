"""Background tasks that always finish: a bound on waiting, and recovery after a stopped worker."""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

# A fetch has a deadline of seconds; a task running for longer than this was left behind by a
# worker that stopped (killed, or its machine restarted).
STALE_AFTER = datetime.timedelta(minutes=5)
# How long a page polls for a task's outcome before it stops and says why.
POLL_FOR = datetime.timedelta(minutes=2)


def waited_too_long(created_at: datetime.datetime) -> bool:
    return timezone.now() - created_at > POLL_FOR


@transaction.atomic
def fail_stale_task_results() -> list[tuple[str, list]]:
    """Mark tasks left running by a stopped worker as failed; their paths and arguments."""
    cutoff = timezone.now() - STALE_AFTER
    stale = list(
        DBTaskResult.objects.select_for_update()
        .filter(status="RUNNING", started_at__lt=cutoff)
        .values_list("pk", "task_path", "args_kwargs")
    )
    DBTaskResult.objects.filter(pk__in=[pk for pk, _, _ in stale]).update(
        status="FAILED", finished_at=timezone.now()
    )
    return [(path, (arguments or {}).get("args", [])) for _, path, arguments in stale]
