"""Backup and restore: the demo plus generated data come back row for row into an empty database.

"Empty" is a freshly migrated database: a flush, then the rows data migrations make (roles,
verdict scale) written back, as `migrate` would leave them. The same tests run on PostgreSQL
when the suite does (DATABASE_URL=postgres://...).
"""

import gzip
import json
import re
import shutil
from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import override_settings

from claims.models import Claim, Rating, Tag
from lib.search import matching_pks
from pages.backup import compared_tables, table_rows
from tests.conftest import restore_rows_from_migrations

pytestmark = pytest.mark.usefixtures("migration_rows")  # a transactional database


def every_row() -> dict[str, list[tuple]]:
    """Every row of every backed-up table, many-to-many link tables included."""
    return {model._meta.label: list(table_rows(model)) for model in compared_tables()}


def empty_the_database(pytestconfig) -> None:
    """As a freshly migrated database: no rows but those the data migrations make."""
    call_command("flush", interactive=False, verbosity=0)
    restore_rows_from_migrations(pytestconfig)


def restore(path) -> str:
    out = StringIO()
    call_command("restore", str(path), stdout=out)
    return out.getvalue()


def build_desk() -> None:
    """The demo and 200 generated claims: rows in every table a backup carries."""
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=StringIO())
    call_command("generate_data", claims=200, seed=7, stdout=StringIO())


def back_up(path) -> None:
    call_command("backup", str(path), stdout=StringIO())


@pytest.fixture
def desk():
    build_desk()


@pytest.fixture
def backup(desk, tmp_path):
    path = tmp_path / "desk.jsonl.gz"
    back_up(path)
    return path


@pytest.fixture(scope="module")
def desk_backed_up_once(django_db_setup, django_db_blocker, tmp_path_factory, pytestconfig):
    """A backup of the desk made once for the module's tests that restore into an empty
    database (building the desk is most of such a test's time); the database is emptied again."""
    path = tmp_path_factory.mktemp("backup") / "desk.jsonl.gz"
    with django_db_blocker.unblock():
        empty_the_database(pytestconfig)  # an earlier transactional test may have flushed it
        build_desk()
        back_up(path)
        empty_the_database(pytestconfig)
    return path


@pytest.fixture
def backup_file(desk_backed_up_once, tmp_path):
    """A copy of that backup for one test to spoil, the database empty but for the seeded rows."""
    path = tmp_path / desk_backed_up_once.name
    shutil.copyfile(desk_backed_up_once, path)
    return path


def test_a_backup_of_the_demo_and_generated_data_restores_every_table_row_for_row(
    desk, tmp_path, pytestconfig
):
    before = every_row()
    assert len(before["claims.Claim"]) > 200
    assert before["claims.HistoricalClaim"] and before["sources.HistoricalSource"]
    assert before["claims.Claim_tags"] and before["auth.User_groups"]
    path = tmp_path / "desk.jsonl.gz"
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    assert re.match(r"Backed up \d+ rows of \d+ tables", out.getvalue())

    empty_the_database(pytestconfig)
    assert not Claim.objects.exists() and not User.objects.exists()
    assert "Restored" in restore(path)

    after = every_row()
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, f"{table} differs after the restore"


def test_the_file_records_its_format_version_time_and_migrations(backup):
    with gzip.open(backup, "rt") as stream:
        header = json.loads(stream.readline())
        last = stream.readlines()[-1]
    assert header["format"] == "claim-tracker-backup" and header["version"] == 1
    assert header["created"] and header["database"]
    assert header["migrations"]["claims"].startswith("00")
    assert json.loads(last)["end"]["claims.claim"] == Claim.objects.count()


def test_after_a_restore_search_finds_a_claim_and_new_rows_get_fresh_ids(backup, pytestconfig):
    claim = Claim.objects.filter(text__contains="North Korea").order_by("pk").first()
    words = " ".join(re.findall(r"[A-Za-z]{4,}", claim.text)[:4])
    highest_tag = Tag.objects.order_by("-pk").first().pk
    empty_the_database(pytestconfig)
    assert matching_pks(Claim, words) == []

    restore(backup)

    assert claim.pk in matching_pks(Claim, words)
    assert Tag.objects.create(name="A tag made after the restore").pk > highest_tag


def test_it_refuses_a_database_that_holds_rows_and_changes_nothing(backup):
    before = every_row()
    with pytest.raises(CommandError, match="needs an empty database.*Nothing was changed"):
        restore(backup)
    assert every_row() == before


def rewritten(path, target, change) -> None:
    with gzip.open(path, "rt") as stream:
        lines = stream.readlines()
    with gzip.open(target, "wt") as stream:
        stream.writelines(change(lines))


def with_header(**changes):
    def change(lines):
        header = json.loads(lines[0])
        return [json.dumps(header | changes) + "\n", *lines[1:]]

    return change


def test_it_refuses_a_file_from_migrations_this_checkout_lacks(backup_file, tmp_path):
    future = tmp_path / "future.jsonl.gz"
    rewritten(backup_file, future, with_header(migrations={"claims": "0999_from_the_future"}))
    before = every_row()

    with pytest.raises(CommandError, match="migrations this checkout lacks: claims.0999_from_the"):
        restore(future)
    assert every_row() == before


CORRUPTIONS = {
    "not gzip": lambda path: path.write_bytes(b"just some text\n"),
    "cut short": lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
    "no closing line": lambda path: rewritten(path, path, lambda lines: lines[:-1]),
    "a garbled row": lambda path: rewritten(
        path, path, lambda lines: [*lines[:-2], '{"model": "claims.claim", "pk": \n', lines[-1]]
    ),
    "a row twice": lambda path: rewritten(path, path, lambda lines: [*lines[:2], *lines[1:]]),
    "rows missing": lambda path: rewritten(path, path, lambda lines: [*lines[:-50], lines[-1]]),
    "another format": lambda path: rewritten(path, path, with_header(format="other")),
    "a newer version": lambda path: rewritten(path, path, with_header(version=2)),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_it_refuses_a_corrupt_file_and_changes_nothing(corruption, backup_file):
    CORRUPTIONS[corruption](backup_file)
    before = every_row()
    assert before["claims.Rating"] and before["auth.Group"]  # the seeded rows, kept

    with pytest.raises(CommandError) as refusal:
        restore(backup_file)
    assert str(backup_file) in str(refusal.value)
    assert every_row() == before
    assert Rating.objects.count() == len(before["claims.Rating"])
    assert Group.objects.count() == len(before["auth.Group"])
