"""make two-servers: two gunicorn instances, one PostgreSQL, one Redis: do they act as one site?

It makes a database of its own, loads the demo (its researcher is not a superuser), starts its
own redis-server and two gunicorn instances on loopback ports with DEBUG=0, then checks:
  - a session begun on server A works on server B, and a sign-out on B ends it on A;
  - a write through one server is on the other's next read, both ways;
  - the cache is shared: the dashboard counts A computed are in Redis, and a public page's ETag
    from A is good on B;
  - background tasks (source fetches, against a local page server) queued through both servers
    and run by two `db_worker` processes at once each run exactly once.
Prints a short report, exits 1 on any failure, and stops everything it started.

Settings from the environment:
  DATABASE_URL  a PostgreSQL URL whose database this check drops and makes afresh
                (default postgres://postgres@127.0.0.1:5432/claimtracker_two_servers)
  KEEP_DATABASE set to 1 to leave the database behind for a look
"""

import contextlib
import http.server
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
REDIS_SERVER = "/usr/bin/redis-server"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL.startswith("postgres"):
    DATABASE_URL = "postgres://postgres@127.0.0.1:5432/claimtracker_two_servers"
# The demo's researcher (claims/management/commands/load_demo.py): no superuser shortcuts.
USERNAME, PASSWORD = "researcher", "demo"
FETCHES = 4  # more than one each, so the two workers race for them
PAGE_SECONDS = 0.5  # the local pages answer slowly, so both workers are busy at once
DEADLINE_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """Everything started, each in its own process group, stopped whatever happens."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(ROOT / "data" / f"two-servers-{name}.log", "w")  # noqa: SIM115 - kept open
        process = subprocess.Popen(  # noqa: S603 - our own commands with fixed arguments
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


class Pages(http.server.ThreadingHTTPServer):
    """The web pages the fetch tasks read: counts each request, so a second run would show."""

    def __init__(self):
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), PageHandler)


class PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        with self.server.lock:
            self.server.hits[self.path] += 1
        time.sleep(PAGE_SECONDS)
        body = (
            f"<html><head><title>Two servers, page {self.path}</title></head><body><article>"
            f"<h1>Two servers, page {self.path}</h1>"
            + "<p>A paragraph long enough for the text extractor to keep it as the text.</p>" * 5
            + "</article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow


class Browser:
    """One person's cookies, sent to whichever server is asked, as behind a load balancer."""

    opener = urllib.request.build_opener(NoRedirects)

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, base: str, path: str, form: dict | None = None, headers: dict | None = None):
        headers = {
            # The proxy in front terminates TLS and says so (settings: SECURE_PROXY_SSL_HEADER).
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
            **(headers or {}),
        }
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            # Django checks the origin of an HTTPS post against the host it was sent to.
            headers["Origin"] = "https://" + base.removeprefix("http://")
        request = urllib.request.Request(base + path, data=data, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            response = error
        with response:
            body = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, body

    def post_form(self, base: str, form_path: str, action: str, fields: dict):
        """Open the form's page for its CSRF token, then post the form, as a person would."""
        status, _, page = self.request(base, form_path)
        if status != 200:
            raise Failure(f"{base}{form_path} answered {status}, not the form.")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(base, action, {"csrfmiddlewaretoken": token, **fields})


class Failure(Exception):
    pass


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, passed: bool, line: str, detail: str = "") -> None:
        print(f"  {'ok  ' if passed else 'FAIL'} {line}" + (f": {detail}" if detail else ""))
        self.failures += not passed


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise Failure(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def fresh_database() -> None:
    import psycopg
    from psycopg import sql

    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database() -> None:
    import psycopg
    from psycopg import sql

    name = DATABASE_URL.rsplit("/", 1)[1]
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            status, _, _ = Browser().request(base, "/health/")
            if status == 200:
                return
        time.sleep(0.2)
    raise Failure(f"{base} did not answer /health/ within 30 s (see data/two-servers-*.log).")


def wait_for_redis(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return
        time.sleep(0.1)
    raise Failure(f"redis-server did not answer on port {port}.")


def redis_keys(port: int, pattern: str) -> list[str]:
    import redis

    return [key.decode() for key in redis.Redis(port=port).keys(pattern)]


TASK_RESULTS = """
import json
from django_tasks_db.models import DBTaskResult
from sources.models import SourceFetch
print(json.dumps({
    "tasks": [
        [str(row.pk), row.status, row.worker_ids, row.args_kwargs["args"]]
        for row in DBTaskResult.objects.filter(task_path="sources.tasks.fetch_source")
    ],
    "fetches": dict(SourceFetch.objects.values_list("pk", "status")),
}))
"""


def run(processes: Processes, report: Report) -> None:
    if not Path(REDIS_SERVER).exists():
        raise Failure(f"No {REDIS_SERVER}: apt-get install -y redis-server")
    redis_port, port_a, port_b = free_port(), free_port(), free_port()
    pages = Pages()
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    page_base = f"http://127.0.0.1:{pages.server_port}"
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # The fetch tasks read the local page server, otherwise refused as a private address.
        "FETCH_ALLOWED_HOSTS": "127.0.0.1",
        "FETCH_TIMEOUT_SECONDS": "10",
    }
    (ROOT / "data").mkdir(exist_ok=True)

    print(f"Database {DATABASE_URL.rsplit('/', 1)[1]}: made afresh, migrated, demo loaded")
    fresh_database()
    manage(env, "migrate", "--no-input")
    manage({**env, "DEBUG": "1"}, "load_demo")  # demo users have a known password: DEBUG only
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")

    processes.start(
        "redis",
        [
            REDIS_SERVER,
            "--port",
            str(redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        env,
    )
    wait_for_redis(redis_port)
    servers = {}
    for name, port in (("A", port_a), ("B", port_b)):
        processes.start(
            f"server-{name}",
            [GUNICORN, "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            env,
        )
        servers[name] = f"http://127.0.0.1:{port}"
    for base in servers.values():
        wait_until_up(base)
    a, b = servers["A"], servers["B"]
    print(f"Redis on port {redis_port}; server A {a}, server B {b}, each gunicorn with 2 workers")

    print("Sessions")
    person = Browser()
    status, headers, _ = person.post_form(
        a, "/accounts/login/", "/accounts/login/", {"username": USERNAME, "password": PASSWORD}
    )
    report.check(status == 302 and "sessionid" in person.cookies, "signed in on A", f"{status}")
    status, _, page = person.request(b, "/claims/")
    report.check(
        # The header names who is signed in (the name links to their account's tokens).
        status == 200 and "Signed in as" in page and f"<strong>{USERNAME}</strong>" in page,
        "A's session cookie works on B",
        f"{status}",
    )

    print("Writes")
    source_ids = []
    for n in range(FETCHES):
        writer, reader = (a, b) if n % 2 == 0 else (b, a)
        url = f"{page_base}/page-{n}"
        status, headers, _ = person.post_form(
            writer, "/sources/new/", "/sources/new/", {"url": url, "type": "news"}
        )
        found = re.fullmatch(r"/sources/(\d+)/", headers.get("Location", ""))
        if status != 302 or found is None:
            raise Failure(f"Adding a source on {writer} answered {status}, not the new source.")
        source_ids.append(int(found.group(1)))
        status, _, page = person.request(reader, f"/sources/{found.group(1)}/")
        report.check(
            status == 200 and url in page,
            f"a source added through {'A' if writer == a else 'B'} is on "
            f"{'B' if writer == a else 'A'}'s next read",
        )

    print("Shared cache")
    person.request(a, "/")
    report.check(
        bool(redis_keys(redis_port, "*dashboard-counts")),
        "the dashboard counts drawn on A are kept in Redis, for B too",
    )
    reader = Browser()  # an anonymous reader, as aggregators are
    same_host = {"Host": "127.0.0.1"}  # behind one address, as a load balancer serves them
    _, headers, _ = reader.request(a, "/public/claimreview.json", headers=same_host)
    etag = headers.get("ETag", "")
    status, _, _ = reader.request(
        b, "/public/claimreview.json", headers={**same_host, "If-None-Match": etag}
    )
    report.check(
        bool(etag) and status == 304, "the feed's ETag from A gets 304 from B", f"{status}"
    )

    print(f"Background tasks: {FETCHES} fetches queued through both servers, two workers")
    for n, source_id in enumerate(source_ids):
        server = a if n % 2 == 0 else b
        status, _, _ = person.post_form(
            server, f"/sources/{source_id}/", f"/sources/{source_id}/fetch/", {}
        )
        if status != 302:
            raise Failure(f"Asking for a fetch of source {source_id} answered {status}.")
    workers = [
        processes.start(
            f"worker-{n}",
            [PYTHON, "manage.py", "db_worker", "--batch", "--worker-id", f"worker-{n}"],
            env,
        )
        for n in (1, 2)
    ]
    for worker in workers:
        try:
            worker.wait(timeout=DEADLINE_SECONDS)
        except subprocess.TimeoutExpired as late:
            raise Failure("A db_worker did not finish its batch in time.") from late
    outcome = json.loads(manage(env, "shell", "--no-imports", "-c", TASK_RESULTS))
    tasks = outcome["tasks"]
    report.check(len(tasks) == FETCHES, f"{len(tasks)} task results for {FETCHES} fetches")
    report.check(
        all(status == "SUCCESSFUL" for _, status, _, _ in tasks),
        "every task succeeded",
        ", ".join(sorted({status for _, status, _, _ in tasks})),
    )
    report.check(
        all(len(worker_ids) == 1 for _, _, worker_ids, _ in tasks),
        "each task was claimed by exactly one worker",
        ", ".join(f"{worker_ids}" for _, _, worker_ids, _ in tasks),
    )
    expected = {f"/page-{n}": 1 for n in range(FETCHES)}
    report.check(
        dict(pages.hits) == expected, "each page was fetched exactly once", f"{dict(pages.hits)}"
    )
    report.check(
        set(outcome["fetches"].values()) == {"done"},
        "every fetch request is done",
        f"{outcome['fetches']}",
    )
    shared = Counter(worker_ids[0] for _, _, worker_ids, _ in tasks if worker_ids)
    print(f"  (shared between the workers: {dict(shared)})")
    status, _, page = person.request(b, f"/sources/{source_ids[0]}/")
    report.check(
        "Two servers, page /page-0" in page, "B shows the title the worker fetched", f"{status}"
    )

    print("Signing out")
    status, _, _ = person.post_form(b, "/claims/", "/accounts/logout/", {})
    status, headers, _ = person.request(a, "/claims/")
    report.check(
        status == 302 and "/accounts/login/" in headers.get("Location", ""),
        "signed out on B, A asks to sign in again",
        f"{status}",
    )


def main() -> int:
    started = time.monotonic()
    processes, report = Processes(), Report()
    # A stop from outside (Ctrl-C, the CI's timeout) still runs the clean-up below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        run(processes, report)
    except Failure as failure:
        print(f"  FAIL {failure}")
        report.failures += 1
    finally:
        processes.stop_all()
        if os.environ.get("KEEP_DATABASE") != "1":
            with contextlib.suppress(Exception):
                drop_database()
    seconds = time.monotonic() - started
    if report.failures:
        print(f"Two servers: {report.failures} check(s) failed ({seconds:.0f} s).")
        return 1
    print(f"Two servers act as one site: every check passed ({seconds:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
