"""A whole-desk backup as one gzip'd JSON Lines file, and its restore into an empty database.

The file is a header line (format version, time, database kind, the latest migration applied per
app), then one line per row in Django's own `jsonl` serialization, model by model in dependency
order, then a closing line with the number of rows per model: a file cut short is refused.

What is kept: users, groups and their permissions, every model of our apps (history tables
included) and the admin's log. Not kept: sessions, sign-in throttling records and background task
results, which a restored desk does without. Permissions and content types are created by
`migrate` with their own ids, so rows pointing at them name them by natural key.

A backup reads everything in one transaction (REPEATABLE READ on PostgreSQL), row by row, so the
file is one consistent moment and a big database never sits in memory. A restore writes
everything in one transaction: either every row is back, or nothing changed.
"""

import datetime
import gzip
import json
import os
from collections import Counter
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "claim-tracker-backup"
VERSION = 1
OUR_APPS = ["lib", "sources", "articles", "claims", "pages"]
# Tables a fresh, migrated database already fills (data migrations seed the roles and the
# verdict scale): they do not make it "not empty", and the backup's copy replaces them.
SEEDED = [Group, "claims.Rating"]
BATCH = 1000


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder keeps times to the millisecond; a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A refusal with a message for the person running the command."""


def dependency_order(models: list) -> list:
    """Models so that each comes after the models it points at (a cycle keeps list order)."""
    chosen = set(models)
    needs = {
        model: {
            field.related_model
            for field in [*model._meta.fields, *model._meta.many_to_many]
            if field.is_relation
            and field.related_model in chosen
            and field.related_model is not model
        }
        for model in models
    }
    ordered: list = []
    remaining = list(models)
    while remaining:
        ready = [m for m in remaining if needs[m] <= set(ordered)] or remaining[:1]
        ordered += ready
        remaining = [m for m in remaining if m not in ready]
    return ordered


def backed_up_models() -> list:
    ours = [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    return [Group, User, *dependency_order(ours), LogEntry]


# Rows pointing at users of these models name them by natural key: permissions and content
# types are made by migrate with ids of their own; groups and users keep their ids.
NATURAL_KEYS = {Group, User, LogEntry}


def seeded_models() -> list:
    return [m if not isinstance(m, str) else apps.get_model(m) for m in SEEDED]


def latest_migrations() -> dict[str, str]:
    """The latest applied migration of each app, by name."""
    latest: dict[str, str] = {}
    for app, name in MigrationLoader(connection, ignore_no_migrations=True).applied_migrations:
        latest[app] = max(name, latest.get(app, name))
    return dict(sorted(latest.items()))


def compared_tables() -> list:
    """What a restore must bring back: every backed-up model and its many-to-many link tables."""
    models = backed_up_models()
    return models + [
        field.remote_field.through
        for model in models
        for field in model._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    ]


def table_rows(model) -> Iterator[tuple]:
    """A table's rows as a restore must bring them back, in an order both databases agree on.

    Permissions and content types are named by natural key (`migrate` gives them ids of its
    own); link tables are compared without their own ids, which are not kept, sorted by what
    they link. Binary values are bytes on either database.
    """
    fields = model._meta.concrete_fields
    natural = {
        related: {row.pk: row.natural_key() for row in related._base_manager.all()}
        for related in {f.related_model for f in fields if f.is_relation}
        if related in (Permission, ContentType)
    }
    rows = (
        tuple(
            natural[f.related_model].get(value, value)
            if f.is_relation and f.related_model in natural
            else bytes(value)
            if isinstance(value, memoryview)
            else value
            for f, value in zip(fields, values, strict=True)
        )
        for values in model._base_manager.order_by("pk")
        .values_list(*[f.attname for f in fields])
        .iterator(chunk_size=BATCH)
    )
    if model._meta.auto_created:  # two ids a link: sorted by what they name
        yield from sorted(row[1:] for row in rows)
    else:
        yield from rows


def write_backup(path: Path) -> Counter:
    """Write the backup to path (through a temporary file beside it); the rows per model."""
    counts: Counter = Counter()
    partial = path.with_name(path.name + ".partial")
    nested = connection.in_atomic_block  # inside a caller's transaction (tests): its snapshot
    try:
        with transaction.atomic(), gzip.open(partial, "wt", encoding="utf-8") as stream:
            if connection.vendor == "postgresql" and not nested:
                with connection.cursor() as cursor:  # before any read: one snapshot for all
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            header = {
                "format": FORMAT,
                "version": VERSION,
                "created": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": latest_migrations(),
            }
            stream.write(json.dumps(header) + "\n")
            for model in backed_up_models():
                label = model._meta.label_lower
                rows = model._base_manager.order_by("pk")
                if m2m := [field.name for field in model._meta.many_to_many]:
                    rows = rows.prefetch_related(*m2m)
                counter = _Counting(rows.iterator(chunk_size=BATCH))
                serializers.serialize(
                    "jsonl",
                    counter,
                    stream=stream,
                    use_natural_foreign_keys=model in NATURAL_KEYS,
                    cls=ExactEncoder,
                )
                counts[label] = counter.count
            stream.write(json.dumps({"end": dict(counts)}) + "\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def restore_backup(path: Path) -> Counter:
    """Restore the file into this (empty, migrated) database, all or nothing; rows per model."""
    try:
        with transaction.atomic():
            return _restore(path)
    except (
        OSError,
        EOFError,
        ValueError,
        LookupError,
        IntegrityError,
        serializers.base.DeserializationError,
    ) as e:
        raise BackupError(f"{path} is not a readable backup (nothing was restored): {e}") from e


def _restore(path: Path) -> Counter:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        header = _read_header(stream, path)
        _check_migrations(header["migrations"])
        _check_empty()
        for model in seeded_models():
            model._base_manager.all().delete()
        expected: dict = {}
        counts: Counter = Counter()
        models = set()
        with connection.constraint_checks_disabled():
            # Grouped by the text of each line, so a model's rows are saved before the next
            # model's are read: a user's groups are looked up by name as the user is read.
            for label, lines in groupby(_rows(stream, expected), key=_model_label):
                model = apps.get_model(label)
                models.add(model)
                counts[label] += _save_all(model, serializers.deserialize("jsonl", lines))
        if not expected:
            raise BackupError(f"{path} is cut short: its closing line is missing.")
        if dict(counts) != {label: n for label, n in expected["end"].items() if n}:
            raise BackupError(f"{path} does not hold the rows its closing line counts.")
        connection.check_constraints()
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(statement)
    return counts


def _save_all(model, deserialized) -> int:
    """Insert the rows of one model, and their many-to-many links, in batches."""
    saved = 0
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    for batch in _batched(deserialized, BATCH):
        # A raw insert, as loaddata's: bulk_create would stamp auto_now fields with today.
        rows = [d.object for d in batch]
        size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
        for start in range(0, len(rows), size):
            model._base_manager._insert(rows[start : start + size], fields=fields, raw=True)
        for name in {name for d in batch for name in d.m2m_data}:
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            links = [
                through(**{source: d.object.pk, target: value})
                for d in batch
                for value in d.m2m_data.get(name, [])
            ]
            through._base_manager.bulk_create(links)
        saved += len(batch)
    return saved


def _batched(items, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _model_label(line: str) -> str:
    """The model a row line holds, read from its start: '{"model": "claims.claim", ...'."""
    prefix = '{"model": "'
    if not line.startswith(prefix):
        raise ValueError(f"a line holds no row: {line[:40]!r}")
    return line[len(prefix) : line.index('"', len(prefix))]


def _rows(stream, closing: dict) -> Iterator[str]:
    """The row lines of the file; the closing line's counts go into `closing`."""
    for line in stream:
        if line.startswith('{"end"'):
            closing.update(json.loads(line))
            if next(stream, None) is not None:
                raise ValueError("the file goes on after its closing line.")
            return
        yield line


def _read_header(stream, path: Path) -> dict:
    try:
        header = json.loads(stream.readline())
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Claim Tracker backup.")
    if header.get("version") != VERSION:
        raise BackupError(
            f"{path} is a backup of format version {header.get('version')}; "
            f"this checkout reads version {VERSION}."
        )
    return header


def _check_migrations(wanted: dict[str, str]) -> None:
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    missing = [f"{a}.{n}" for a, n in wanted.items() if (a, n) not in loader.disk_migrations]
    if missing:
        raise BackupError(
            "The backup was made with migrations this checkout lacks: "
            f"{', '.join(missing)}. Restore it with the code it was made with (or newer)."
        )
    unapplied = [f"{a}.{n}" for a, n in wanted.items() if (a, n) not in loader.applied_migrations]
    if unapplied:
        raise BackupError(
            f"This database lacks migrations the backup needs: {', '.join(unapplied)}. "
            "Run `manage.py migrate` first."
        )


def _check_empty() -> None:
    seeded = set(seeded_models())
    holding = [
        model._meta.label
        for model in backed_up_models()
        if model not in seeded and model._base_manager.exists()
    ]
    if holding:
        raise BackupError(
            "Restore needs an empty database, and this one holds rows "
            f"({', '.join(holding[:5])}{' …' if len(holding) > 5 else ''}). Nothing was changed."
        )


class _Counting:
    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row
