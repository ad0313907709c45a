"""Restore a backup written by `manage.py backup` into an empty, migrated database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pages.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore FILE (from `manage.py backup`) into this empty database, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            counts = restore_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {sum(counts.values())} rows of {len(counts)} tables from {file}."
        )
