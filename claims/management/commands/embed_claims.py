"""Store the matcher's vectors for claims that lack them, or that an older model made."""

import time

from django.core.management.base import BaseCommand
from django.db.models import Q

from claims import actions
from claims.models import Claim
from lib.embedding import embedder

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Embed every claim without a vector from the current model (claims.matching), in "
        "batches; stopped and run again, it carries on where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument("--all", action="store_true", help="Embed every claim afresh.")

    def handle(self, *args, batch: int, all: bool, **options):
        name = embedder().name
        todo = Claim.objects.all()
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
            done += actions.embed_claims(pks)
            after = pks[-1]
            if options["verbosity"] > 1:
                self.stdout.write(f"{done:,} claims embedded, up to #{after}")
        seconds = time.perf_counter() - started
        self.stdout.write(f"Embedded {done:,} claims with {name} in {seconds:.1f} s.")
