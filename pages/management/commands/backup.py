"""Write a complete, consistent backup of the desk's data to a gzip'd JSON Lines file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from pages.backup import write_backup


class Command(BaseCommand):
    help = "Back up every user, claim, article, source and their history to FILE (gzip'd JSONL)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        counts = write_backup(file)
        self.stdout.write(
            f"Backed up {sum(counts.values())} rows of {len(+counts)} tables to {file}."
        )
