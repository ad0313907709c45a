"""Store the matcher's vectors for external fact-checks without them, or made by an older model."""

import time

from django.core.management.base import BaseCommand
from django.db.models import Q

from lib.embedding import embedder
from sources import actions
from sources.models import ExternalFactCheck

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Embed every external fact-check without a vector from the current model (for the "
        "matcher), in batches; stopped and run again, it carries on where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument("--all", action="store_true", help="Embed every fact-check afresh.")

    def handle(self, *args, batch: int, all: bool, **options):
        name = embedder().name
        todo = ExternalFactCheck.objects.all()
        if not all:
            todo = todo.filter(Q(embedding__isnull=True) | ~Q(embedding__model=name))
        started, done, after = time.perf_counter(), 0, 0
        while True:
            # Keyset over the primary key: each batch is found by the index, never by an OFFSET.
            pks = list(
                todo.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:batch]
            )
            if not pks:
                break
            done += actions.embed_fact_checks(pks)
            after = pks[-1]
            if options["verbosity"] > 1:
                self.stdout.write(f"{done:,} fact-checks embedded, up to #{after}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Embedded {done:,} external fact-checks with {name} in {seconds:.1f} s.")
