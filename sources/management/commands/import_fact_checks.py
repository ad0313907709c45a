"""Import a file of other organisations' fact-checks and print what was taken, skipped, refused."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from sources import actions
from sources.factchecks import FORMATS, FileRefused


class Command(BaseCommand):
    help = (
        "Import external fact-checks from ClaimReview JSON-LD (an object, a list, a DataFeed, or "
        "ld+json script blocks), a Fact Check Tools API answer, or the AVeriTeC JSON. A second "
        "import of the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto")
        parser.add_argument(
            "--user", help="Name of the source admin to record as importer (default: the system)."
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            help="The largest file read (default: settings.FACT_CHECK_IMPORT_MAX_BYTES).",
        )

    def handle(self, *args, file: Path, format: str, user: str | None, max_bytes, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user named {user}.")
        limit = max_bytes or actions.fact_check_import_max_bytes()
        try:
            size = file.stat().st_size
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        if size > limit:
            # Refused before a byte is read: a file this large is a mistake, not a feed.
            raise CommandError(
                f"The file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.1f} MB "
                "(--max-bytes). Nothing was imported."
            )
        try:
            report = actions.import_fact_check_file(
                file.read_bytes(), by=by, format=format, file_name=file.name, max_bytes=limit
            )
        except (FileRefused, PermissionDenied) as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(f"{file.name} ({report.format}): {report.summary}")
        for line in report.skipped:
            self.stdout.write(f"  skipped: {line}")
        for line in report.refused:
            self.stdout.write(f"  refused: {line}")
