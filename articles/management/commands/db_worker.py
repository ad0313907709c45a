"""django-tasks-db's worker, which first ends the tasks a stopped worker left running."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from articles.tasks import recover_import
from lib.tasks import fail_stale_task_results
from sources.tasks import recover_fact_check_import, recover_fetch

RECOVERIES = {
    "articles.tasks.fetch_article": recover_import,
    "sources.tasks.fetch_source": recover_fetch,
    "sources.tasks.import_fact_check_file": recover_fact_check_import,
}


class Command(DatabaseWorker):
    help = "Run background tasks, after failing those a stopped worker left running."

    def handle(self, *args, **options):
        for path, arguments in fail_stale_task_results():
            if (recover := RECOVERIES.get(path)) is not None and arguments:
                recover(*arguments)
            self.stdout.write(f"Ended a task left running by a stopped worker: {path}{arguments}")
        super().handle(*args, **options)
