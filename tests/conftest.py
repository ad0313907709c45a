"""Personas (one per role, plus an outsider with none) and the rules for skipping honestly."""

import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
# .ci/run sets this: there a skipped browser or shared-data test is a failure, not a skip.
STRICT_SKIPS = os.environ.get("CLAIM_TRACKER_STRICT_SKIPS") == "1"

SKIP_LINES = {
    "no-chromium": "Browser tests skipped: no Chromium at /usr/bin/chromium "
    "(apt-get install -y chromium).",
    "no-shared-data": "Shared-data tests skipped: ../shared is not beside this clone.",
    "postgres-only": "Concurrency tests skipped: they race for PostgreSQL row locks "
    "(DATABASE_URL=postgres://...).",
}


def skip_or_fail(kind: str) -> None:
    """Skip with one clear line, except under .ci/run, where the missing piece is an error."""
    if STRICT_SKIPS:
        pytest.fail(f"{SKIP_LINES[kind]} CI requires them to run.")
    pytest.skip(kind)


# Lines left for the end of the run, by topic: a template and the counts that fill it. Under
# pytest-xdist each worker counts its share and the counts are added up on the controller.
RUN_NOTES = pytest.StashKey[dict[str, tuple[str, Counter]]]()


def add_to_run_note(config: pytest.Config, topic: str, template: str, **counts: int) -> None:
    notes = config.stash.setdefault(RUN_NOTES, {})
    notes.setdefault(topic, (template, Counter()))[1].update(counts)


def pytest_sessionfinish(session):
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: hand the notes to the controller
        notes = session.config.stash.get(RUN_NOTES, {})
        worker_output["run_notes"] = {
            topic: (template, dict(counts)) for topic, (template, counts) in notes.items()
        }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller's side of pytest-xdist: a worker is done, its notes are counted."""
    for topic, (template, counts) in node.workeroutput.get("run_notes", {}).items():
        add_to_run_note(node.config, topic, template, **counts)


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workeroutput"):
        return  # an xdist worker: the controller, which sees every report, writes the lines once
    reasons = {str(report.longrepr[-1]) for report in terminalreporter.stats.get("skipped", [])}
    for kind, line in SKIP_LINES.items():
        if any(reason.endswith(kind) for reason in reasons):
            terminalreporter.write_line(line)
    for template, counts in config.stash.get(RUN_NOTES, {}).values():
        terminalreporter.write_line(template.format_map(counts))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        skip_or_fail("no-shared-data")
    return SHARED_DATA


@pytest.fixture
def seed_article() -> str:
    """The article this product began from, as the team received it."""
    path = SHARED / "seeds" / "000_27f6c9a3c4b2fb49.txt"
    if not path.is_file():
        skip_or_fail("no-shared-data")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def static_files_looked_up_per_request():
    """Without this, WhiteNoise reads every collected static file (staticfiles/, once `make
    serve` or the two-server check has run collectstatic) each time a test client starts: about
    70 ms for each of the suite's thousands of clients. Looked up per request, none is read."""
    from django.test import override_settings

    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are made in almost every test; a deliberately slow hash only slows the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test counts its own rows: the dashboard's counts from an earlier test may not answer."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fresh_matching_index():
    """Each test's claims are matched from its own rows: the in-memory codes are read afresh.

    A rolled-back test may hand the next one the same row ids (SQLite), which the index, asking
    only for rows above the last it read, would otherwise take for rows it already has.
    """
    from claims import matching

    matching.forget_indexes()
    yield
    matching.forget_indexes()


@pytest.fixture(autouse=True)
def tasks_run_inline(settings):
    """Background tasks run at once in tests, so a request's outcome can be asserted."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def postgresql():
    """For concurrency tests: SQLite serialises writers, so there is no race to test there."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("postgres-only")  # CI runs the suite on both: not a failure on SQLite


# Rebuilt after every flush by post_migrate, with new pks: the snapshot names them by natural key.
REBUILT_BY_POST_MIGRATE = {"contenttypes.ContentType", "auth.Permission"}
# The rows data migrations made (roles with their permissions, the rating scale), as JSON.
ROWS_FROM_MIGRATIONS = pytest.StashKey[str]()


def rows_in_the_new_database() -> str:
    from django.apps import apps
    from django.core import serializers
    from django.db import connection

    models = [
        model
        for model in apps.get_models()
        if model._meta.label not in REBUILT_BY_POST_MIGRATE
        and not model._meta.proxy
        and model._meta.can_migrate(connection)
        and model._default_manager.exists()
    ]
    rows = [row for model in models for row in model._default_manager.order_by("pk")]
    return serializers.serialize("json", rows, use_natural_foreign_keys=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, pytestconfig):
    """pytest-django's test database, and a note of the rows its data migrations made."""
    with django_db_blocker.unblock():
        pytestconfig.stash[ROWS_FROM_MIGRATIONS] = rows_in_the_new_database()


def restore_rows_from_migrations(config: pytest.Config) -> None:
    """Write back the rows data migrations made, as they were when the database was built."""
    from django.core import serializers
    from django.core.management.color import no_style
    from django.db import connection, transaction

    restored_models = set()
    with transaction.atomic():
        rows = serializers.deserialize(
            "json", config.stash[ROWS_FROM_MIGRATIONS], handle_forward_references=True
        )
        for row in rows:
            row.save()
            restored_models.add(type(row.object))
        # The rows keep their pks; the next row a test adds must not collide with them.
        reset = connection.ops.sequence_reset_sql(no_style(), list(restored_models))
        with connection.cursor() as cursor:
            for statement in reset:
                cursor.execute(statement)


@pytest.fixture
def migration_rows(transactional_db, pytestconfig):
    """The rows data migrations made (roles, rating scale), back after an earlier flush.

    A transactional test ends in a flush, which also empties what data migrations made. Django's
    serialized_rollback keeps its copy on the connection object, which is not the one a test sees
    under Playwright; re-running the migrations took about 15 s a test. So the rows are noted
    once, when the database is built, and written back here as they were.
    """
    restore_rows_from_migrations(pytestconfig)


class LocalServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that gave up (a fetch that timed out) is what some tests are about; its
        # traceback would land in the middle of pytest's output, past the test that caused it.
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def http_server(handler) -> Iterator[str]:
    """A local web server for fetch tests (the internet is never touched); yields its base URL."""
    httpd = LocalServer(("127.0.0.1", 0), handler)
    # shutdown() waits for the loop's next look: at the default half second, each test paid it.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def local_fetches_allowed(settings):
    """Let fetches reach 127.0.0.1, which is otherwise refused as a private address."""
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.FETCH_TIMEOUT_SECONDS = 0.5


def make_user(username: str, *roles: str, **fields) -> User:
    user = User.objects.create_user(username=username, password="secret-for-tests", **fields)
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def researcher(db) -> User:
    return make_user("rosa", "Researcher")


@pytest.fixture
def reviewer(db) -> User:
    return make_user("victor", "Reviewer")


@pytest.fixture
def source_admin(db) -> User:
    return make_user("sami", "Source admin", is_staff=True)


@pytest.fixture
def outsider(db) -> User:
    """Signed in, but given no role: every page must refuse them."""
    return make_user("otto")


@pytest.fixture
def login():
    def client_for(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for
