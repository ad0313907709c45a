"""make bench: load SIZE claims into PostgreSQL, serve them with gunicorn, measure with wrk.

Every request is asked by bench/player.lua from a plan bench/mix.py made, signed in as a plain
researcher or reviewer (no superuser shortcut). Pages "drawn afresh" carry a parameter no other
request in the run has, so no cache keyed by URL can answer them. The newsroom mix reads and
writes at once. The same figures are then taken from a baseline commit (main by default),
served from a copy of the same database, so both sides start from the same rows.

Writes bench/results.md and exits 1 when a budget is missed. Not part of make test: it needs
PostgreSQL, wrk and several minutes. Settings come from the environment:
  SIZE          claims to generate (default 1000000; 20000 runs in a few minutes)
  DATABASE_URL  default postgres://postgres@127.0.0.1:5432/claimtracker_bench_<SIZE>
  DURATION      seconds of load per URL (default 10; 3 below 100000 claims); the mix runs twice
  BASELINE_REF  the commit to compare with (default origin/main, else main); "none" skips it
  BENCH_PORT    the port the servers listen on (default 8765)
"""

import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: bench.mix must be importable

from bench import mix  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
SIZE = int(os.environ.get("SIZE", "1000000"))
DURATION = int(os.environ.get("DURATION", "10" if SIZE >= 100_000 else "3"))
WARM_UP = max(1, DURATION // 3)
MIX_DURATION = 2 * DURATION
# One connection per wrk thread, so each answer is timed against its own request.
THREADS = 4
DATABASE_URL = os.environ.get(
    "DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/claimtracker_bench_{SIZE}"
)
PASSWORD = "benchmark-only-password-" + "y" * 20  # noqa: S105 - local, throwaway accounts
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "BENCHMARK_STOCK_ADMIN": "1",
    "BENCH_PASSWORD": PASSWORD,
}
# Every request says it came through the TLS proxy, as production's do; writes say whence.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Origin": f"https://127.0.0.1:{PORT}"}

# Budgets (issue 14), as ratios to figures measured in the same run by the same tool.
LIST_FRESH = 0.06  # claims list drawn afresh, throughput ÷ floor's
CLAIM_FRESH = 0.04  # claim page with 50 evidence items drawn afresh
SEARCH_FRESH = 0.08  # a very common word, searched afresh
MIX_THROUGHPUT = 0.15  # the newsroom mix, throughput ÷ floor's
MIX_P99 = 15.0  # each kind's p99 in the mix must stay under this many times the floor's p99
DEEP_PAGE_LATENCY = 1.5  # a deep page's p50 ÷ page 1's, both drawn afresh
VERSUS_STOCK_ADMIN = 10.0  # every page's throughput ÷ the stock admin changelist's


@dataclass
class Figure:
    name: str
    url: str
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    htmx: bool = False
    # What the budgets hold it to: floor, list, claim, search, deep, stock, or page (only
    # compared with the stock admin); mix-floor is the floor again, measured just before the mix.
    kind: str = "page"
    # Drawn afresh: every request asks for a URL no request in the run asked for before.
    fresh: bool = False
    user: str = mix.RESEARCHER
    problems: list[str] = field(default_factory=list)


@dataclass
class Side:
    """One server's figures: this checkout's, or the baseline's."""

    label: str
    figures: list[Figure] = field(default_factory=list)
    mix_run: mix.Run | None = None
    unavailable: str = ""
    notes: list[str] = field(default_factory=list)


# Command line tools, our own database and server: nothing here reads untrusted input.
def manage(*args: str, root: Path = ROOT, database_url: str = DATABASE_URL, debug=False) -> str:
    env = {**ENV, "DATABASE_URL": database_url, "DEBUG": "1" if debug else "0"}
    if args[0] == "shell":
        args = ("shell", "--no-imports", *args[1:])  # its output is read: no banner
    result = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


def server_url(database_url: str) -> str:
    return database_url.rsplit("/", 1)[0] + "/postgres"


def database_name(database_url: str) -> str:
    return database_url.rsplit("/", 1)[1]


def create_database(database_url: str = DATABASE_URL) -> None:
    """The benchmark's own database, made on first use (each SIZE keeps its own)."""
    import psycopg
    from psycopg import sql

    name = database_name(database_url)
    with psycopg.connect(server_url(database_url), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def copy_database(suffix: str) -> str:
    """A copy of the prepared database, so each side's writes start from the same rows."""
    import psycopg
    from psycopg import sql

    name = database_name(DATABASE_URL)
    copy = f"{name}_{suffix}"
    with psycopg.connect(server_url(DATABASE_URL), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy))
        )
        for attempt in range(10):
            try:
                connection.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(copy), sql.Identifier(name)
                    )
                )
                break
            except psycopg.errors.ObjectInUse:
                # Autovacuum may still be visiting the original; it leaves within seconds.
                if attempt == 9:
                    raise
                time.sleep(2)
    return DATABASE_URL.rsplit("/", 1)[0] + "/" + copy


def drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    name = database_name(database_url)
    with psycopg.connect(server_url(database_url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def prepare_database() -> dict:
    """Migrate, generate SIZE claims once, add the demo and the fixtures the bench reads."""
    create_database()
    manage("migrate", "--no-input")
    count = int(
        manage("shell", "-c", "from claims.models import Claim; print(Claim.objects.count())")
    )
    if count < SIZE:
        print(f"Generating {SIZE - count:,} claims…", flush=True)
        print(manage("generate_data", "--claims", str(SIZE - count)), flush=True)
    manage("load_demo", debug=True)
    print("Preparing the bench's users and the mix's claims…", flush=True)
    output = manage("shell", "-c", (ROOT / "bench" / "fixtures.py").read_text())
    # Fresh tables get vacuumed by autovacuum, which would otherwise run during the measurements.
    manage(
        "shell",
        "-c",
        "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
    )
    return dict(line.split("=", 1) for line in output.splitlines() if "=" in line)


class Server:
    """gunicorn serving one checkout against one database, as `make serve` does."""

    def __init__(self, root: Path, database_url: str):
        self.root, self.database_url = root, database_url

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603
            [GUNICORN, "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{PORT}"]
            + ["--log-level", "warning"],
            cwd=self.root,
            env={**ENV, "DATABASE_URL": self.database_url},
            start_new_session=True,
        )
        for _ in range(60):
            time.sleep(0.5)
            try:
                status, _, _ = fetch("GET", "/health/")
            except OSError:
                continue
            if status == 200:
                return self
        self.__exit__()
        raise RuntimeError("the server did not answer /health/ within 30 s")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait()


def fetch(method: str, path: str, headers=None, body: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    try:
        connection.request(method, path, body=body, headers={**PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def cookies_from(headers) -> dict[str, str]:
    return dict(
        cookie.split(";", 1)[0].split("=", 1) for cookie in headers.get_all("Set-Cookie") or []
    )


def sign_in(username: str) -> tuple[str, str]:
    """Sign in through the sign-in page, as a person does: a session cookie and a CSRF token."""
    status, headers, page = fetch("GET", "/accounts/login/")
    cookies = cookies_from(headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    status, headers, _ = fetch(
        "POST",
        "/accounts/login/",
        {
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body,
    )
    cookies |= cookies_from(headers)
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"{username} could not sign in (answer {status})")
    cookie = f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}"
    return cookie, cookies["csrftoken"]


def play(plans, sessions, seconds: int, *, replay=False, htmx=False, unique=True) -> mix.Run:
    """Run wrk with bench/player.lua, each thread replaying its plan; the answers, summed up."""
    extra = [f"{name}: {value}" for name, value in PROXY_HEADERS.items()]
    if htmx:
        extra.append("HX-Request: true")
    with tempfile.TemporaryDirectory(prefix="ct-bench-") as folder:
        lines = [f"{user}\t{cookie}\t{token}" for user, (cookie, token) in sessions.items()]
        Path(folder, "users.tsv").write_text("\n".join(lines) + "\n")
        for thread, plan in enumerate(plans):
            text = "\n".join(planned.as_line() for planned in plan) + "\n"
            Path(folder, f"plan-{thread}.tsv").write_text(text)
        command = ["wrk", f"-t{len(plans)}", f"-c{len(plans)}", f"-d{seconds}s", "--timeout=60s"]
        for header in extra:
            command += ["-H", header]
        command += ["-s", str(ROOT / "bench" / "player.lua"), BASE, "--", folder]
        command += ["replay"] if replay else []
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
        answers, exhausted = [], 0
        for thread in range(len(plans)):
            for line in Path(folder, f"log-{thread}.tsv").read_text().splitlines():
                if line == "exhausted":
                    exhausted += 1
                else:
                    answers.append(mix.Answer.parse(line))
    elapsed = re.search(r"requests in ([\d.]+)(m?s)", out)
    seconds_taken = float(elapsed.group(1)) * (60 if elapsed.group(2) == "m" else 1)
    run = mix.summarise(answers, seconds_taken, unique_reads=unique and not replay)
    if exhausted:
        run.problems.append(f"{exhausted} threads ran out of planned requests")
    if errors := re.search(r"Socket errors: (.*)", out):
        run.problems.append(f"socket errors: {errors.group(1)}")
    return run


def measure_figure(figure: Figure, sessions, ceiling: float) -> None:
    def plans(phase: str, seconds: int):
        length = mix.plan_length(ceiling, seconds, THREADS)
        return [
            mix.single_plan(
                figure.url,
                thread=thread,
                threads=THREADS,
                length=length,
                phase=phase,
                fresh=figure.fresh,
            )
            for thread in range(THREADS)
        ]

    user_sessions = {mix.RESEARCHER: sessions[figure.user]}
    replay = not figure.fresh
    play(plans("warm", WARM_UP), user_sessions, WARM_UP, replay=replay, htmx=figure.htmx)
    run = play(plans("measure", DURATION), user_sessions, DURATION, replay=replay, htmx=figure.htmx)
    figure.requests_per_second = run.total.requests_per_second
    figure.p50_ms, figure.p99_ms = run.total.p50_ms, run.total.p99_ms
    figure.problems = run.problems


def newsroom(room: mix.Newsroom, sessions, ceiling: float) -> mix.Run:
    def plans(phase: str, seconds: int, writes: bool):
        length = mix.plan_length(ceiling, seconds, THREADS)
        return [
            mix.newsroom_plan(
                room, thread=thread, threads=THREADS, length=length, phase=phase, writes=writes
            )
            for thread in range(THREADS)
        ]

    mix_sessions = {user: sessions[user] for user in (mix.RESEARCHER, mix.REVIEWER)}
    # The warm-up only reads: the prepared claims to publish are for the measured run.
    play(plans("warm", WARM_UP, writes=False), mix_sessions, WARM_UP)
    return play(plans("mix", MIX_DURATION, writes=True), mix_sessions, MIX_DURATION)


def the_figures(values: dict) -> list[Figure]:
    search = "/search/?q="
    deep = values["deep_page"]
    return [
        Figure("Floor: minimal view, same middleware", "/health/", kind="floor"),
        Figure("Claims list, drawn afresh", "/claims/", kind="list", fresh=True),
        Figure("Claims list, htmx fragment, drawn afresh", "/claims/", htmx=True, fresh=True),
        Figure(
            "Filtered list (published, contested, most evidence), drawn afresh",
            "/claims/?status=published&contested=on&sort=most_evidence",
            fresh=True,
        ),
        Figure(
            f"Claims list, page {deep}, drawn afresh",
            "/claims/?cursor=" + quote(values["deep_cursor"]),
            kind="deep",
            fresh=True,
        ),
        Figure("Search, rare term, drawn afresh", search + quote(values["rare"]), fresh=True),
        Figure("Search, medium term, drawn afresh", search + quote(values["medium"]), fresh=True),
        Figure(
            "Search, very common term, drawn afresh",
            search + quote(values["common"]),
            kind="search",
            fresh=True,
        ),
        Figure(
            "Claim page with 50 evidence items, drawn afresh",
            f"/claims/{values['claim50']}/",
            kind="claim",
            fresh=True,
        ),
        Figure(
            "Demo article page, drawn afresh", f"/articles/{values['demo_article']}/", fresh=True
        ),
        # The same URL again and again: what any cache of whole answers would make of it.
        Figure("Claims list, same URL each time", "/claims/"),
        Figure("Claim page with 50 evidence items, same URL", f"/claims/{values['claim50']}/"),
        # The admin refuses parameters it does not know, so its URL cannot be made new; it
        # keeps nothing between requests either.
        Figure(
            "Stock admin changelist (comparison)",
            "/bench/stock-admin/claims/claim/",
            kind="stock",
            user="staff",
        ),
    ]


def answers_of(figures: list[Figure], sessions) -> list[Figure]:
    """The figures whose URL answers 200 with a page (not a sign-in redirect or an error)."""
    answering = []
    for figure in figures:
        headers = {"Cookie": sessions[figure.user][0]}
        if figure.htmx:
            headers["HX-Request"] = "true"
        status, _, _ = fetch("GET", figure.url, headers)
        if status == 200:
            answering.append(figure)
        else:
            figure.problems.append(f"{figure.url} answered {status}")
    return answering


def measure_side(side: Side, root: Path, database_url: str, values: dict, room) -> None:
    with Server(root, database_url):
        sessions = {
            mix.RESEARCHER: sign_in(values["researcher"]),
            mix.REVIEWER: sign_in(values["reviewer"]),
            "staff": sign_in(values["staff"]),
        }
        side.figures = the_figures(values)
        answering = answers_of(side.figures, sessions)
        for figure in side.figures:
            if figure not in answering:
                print(f"{side.label}: {figure.name}: {figure.problems[-1]}", flush=True)
        floor = side.figures[0]
        if floor not in answering:
            side.unavailable = f"/health/ did not answer: {floor.problems}"
            return
        for figure in answering:
            measure_figure(figure, sessions, ceiling=floor.requests_per_second or 5000.0)
            print(
                f"{side.label}: {figure.name}: {figure.requests_per_second:.0f} req/s, "
                f"p50 {figure.p50_ms:.1f} ms, p99 {figure.p99_ms:.1f} ms"
                + (f" — {'; '.join(figure.problems)}" if figure.problems else ""),
                flush=True,
            )
        # The machine's speed drifts over minutes (the floor has read 836 req/s at the start of
        # a run and 717 five minutes later): the mix is held to a floor measured next to it.
        again = Figure("Floor again, just before the mix", "/health/", kind="mix-floor")
        measure_figure(again, sessions, ceiling=floor.requests_per_second)
        side.figures.append(again)
        print(f"{side.label}: {again.name}: {again.requests_per_second:.0f} req/s", flush=True)
        side.mix_run = newsroom(room, sessions, ceiling=again.requests_per_second)
        print(f"{side.label}: newsroom mix:", flush=True)
        for kind in side.mix_run.kinds.values():
            print(
                f"  {kind.kind}: {kind.count} requests, {kind.failed} failed, "
                f"p50 {kind.p50_ms:.1f} ms, p99 {kind.p99_ms:.1f} ms",
                flush=True,
            )
        print(
            f"  all: {side.mix_run.total.requests_per_second:.0f} req/s; "
            + ("; ".join(side.mix_run.problems) or "no problems"),
            flush=True,
        )


def baseline_ref() -> str:
    wanted = os.environ.get("BASELINE_REF", "")
    if wanted:
        return wanted
    for candidate in ("origin/main", "main"):
        found = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--verify", "--quiet", candidate + "^{commit}"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
        )
        if found.returncode == 0:
            return candidate
    return "none"


def unknown_migrations(root: Path, database_url: str) -> list[str]:
    """Migrations recorded in the database that the checkout at `root` does not have."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        applied = connection.execute("SELECT app, name FROM django_migrations").fetchall()
    ours = {"lib", "articles", "claims", "sources", "pages"}
    return sorted(
        f"{app}.{name}"
        for app, name in applied
        if app in ours and not (root / app / "migrations" / f"{name}.py").exists()
    )


def measure_baseline(side: Side, ref: str, values: dict, room) -> None:
    """The same figures from another commit, on its own copy of the database; never fatal."""
    folder = Path(tempfile.mkdtemp(prefix="ct-bench-baseline-"))
    database_url = ""
    try:
        subprocess.run(  # noqa: S603
            ["git", "worktree", "add", "--detach", str(folder), ref],  # noqa: S607
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        commit = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=folder,
            capture_output=True,
            text=True,
        ).stdout.strip()
        side.label = f"baseline {ref} ({commit})"
        (folder / ".venv").symlink_to((ROOT / ".venv").resolve())
        database_url = copy_database("baseline")
        if extra := unknown_migrations(folder, database_url):
            side.notes.append(
                "The database has migrations the baseline lacks (it ran on them regardless): "
                + ", ".join(extra)
            )
        manage("migrate", "--no-input", root=folder, database_url=database_url)
        manage("collectstatic", "--no-input", root=folder, database_url=database_url)
        measure_side(side, folder, database_url, values, room)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", "") or ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        side.unavailable = f"{error} {detail}".strip()[:1500]
        print(f"The baseline could not be measured: {side.unavailable}", flush=True)
    finally:
        subprocess.run(  # noqa: S603
            ["git", "worktree", "remove", "--force", str(folder)],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
        if database_url:
            drop_database(database_url)


def main() -> int:
    started = time.time()
    values = prepare_database()
    room = mix.Newsroom(**json.loads(values.pop("room")))
    manage("collectstatic", "--no-input")
    candidate = Side("this checkout")
    database_url = copy_database("candidate")
    try:
        measure_side(candidate, ROOT, database_url, values, room)
    finally:
        drop_database(database_url)
    if candidate.unavailable:
        sys.exit(f"This checkout could not be measured: {candidate.unavailable}")
    ref = baseline_ref()
    baseline = Side(f"baseline {ref}")
    if ref == "none":
        baseline.unavailable = "no baseline asked for (BASELINE_REF=none) or found"
    else:
        measure_baseline(baseline, ref, values, room)
    verdicts = judge(candidate.figures, candidate.mix_run)
    write_results(candidate, baseline, verdicts, values, time.time() - started)
    missed = [text for ok, text in verdicts if not ok]
    for text in missed:
        print("MISSED:", text)
    return 1 if missed else 0


def judge(figures: list[Figure], newsroom_run: mix.Run | None) -> list[tuple[bool, str]]:
    """Each budget met or missed, with the figures that say so; a run with failures is missed."""
    by_kind = {figure.kind: figure for figure in figures}
    floor, stock = by_kind["floor"], by_kind["stock"]
    mix_floor = by_kind.get("mix-floor", floor)
    verdicts = []

    def throughput(kind: str, budget: float) -> None:
        figure = by_kind[kind]
        ratio = figure.requests_per_second / floor.requests_per_second
        verdicts.append(
            (ratio >= budget, f"{figure.name}: {ratio:.3f}× the floor's throughput (≥ {budget})")
        )

    throughput("list", LIST_FRESH)
    throughput("claim", CLAIM_FRESH)
    throughput("search", SEARCH_FRESH)
    deep, first = by_kind["deep"], by_kind["list"]
    ratio = deep.p50_ms / first.p50_ms
    verdicts.append(
        (
            ratio <= DEEP_PAGE_LATENCY,
            f"{deep.name}: p50 {ratio:.2f}× page 1's (≤ {DEEP_PAGE_LATENCY}×)",
        )
    )
    if newsroom_run is None:
        verdicts.append((False, "Newsroom mix: not measured"))
    else:
        ratio = newsroom_run.total.requests_per_second / mix_floor.requests_per_second
        verdicts.append(
            (
                ratio >= MIX_THROUGHPUT,
                f"Newsroom mix: {ratio:.3f}× the floor's throughput (≥ {MIX_THROUGHPUT})",
            )
        )
        for kind in newsroom_run.kinds.values():
            ratio = kind.p99_ms / mix_floor.p99_ms
            verdicts.append(
                (
                    ratio < MIX_P99,
                    f"Newsroom mix, {kind.kind}: p99 {ratio:.1f}× the floor's (< {MIX_P99:.0f}×)",
                )
            )
        verdicts += [(False, f"Newsroom mix: {problem}") for problem in newsroom_run.problems]
    for figure in figures:
        if figure.kind in ("floor", "mix-floor", "stock"):
            continue
        ratio = figure.requests_per_second / stock.requests_per_second
        verdicts.append(
            (
                ratio >= VERSUS_STOCK_ADMIN,
                f"{figure.name}: {ratio:.1f}× the stock admin's throughput "
                f"(≥ {VERSUS_STOCK_ADMIN:.0f}×)",
            )
        )
    verdicts += [
        (False, f"{figure.name}: {problem}") for figure in figures for problem in figure.problems
    ]
    return verdicts


def ratio_text(part: float, whole: float, digits: int = 3) -> str:
    return f"{part / whole:.{digits}f}" if whole else "–"


def results_text(candidate: Side, baseline: Side, verdicts, environment: list[str]) -> str:
    """bench/results.md: both sides' figures side by side, the mix by kind, then the budgets."""
    floor = candidate.figures[0]
    theirs = {figure.name: figure for figure in baseline.figures}
    their_floor = theirs.get(floor.name)
    lines = ["# Benchmark results", "", *environment, ""]
    lines += [
        f"Figures from this checkout; the baseline is {baseline.label}"
        + (f": **not measured** ({baseline.unavailable})." if baseline.unavailable else "."),
        *[f"- {note}" for note in baseline.notes],
        "",
        "| URL | req/s | p50 ms | p99 ms | ÷ floor | p99 ÷ floor's | baseline req/s "
        "| baseline ÷ floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for figure in candidate.figures:
        theirs_now = theirs.get(figure.name)
        measured = their_floor is not None and theirs_now is not None and not theirs_now.problems
        lines.append(
            f"| {figure.name} | {figure.requests_per_second:,.0f} | {figure.p50_ms:.1f} | "
            f"{figure.p99_ms:.1f} | "
            f"{ratio_text(figure.requests_per_second, floor.requests_per_second)} | "
            f"{ratio_text(figure.p99_ms, floor.p99_ms, 1)} | "
            + (
                f"{theirs_now.requests_per_second:,.0f} | "
                f"{ratio_text(theirs_now.requests_per_second, their_floor.requests_per_second)} |"
                if measured
                else "– | – |"
            )
        )
    lines += [
        "",
        "*Drawn afresh*: every request carries a parameter (`n`) no other request in the run "
        "carries, so no cache keyed by URL can answer it; the run checks that no URL repeated. "
        "Signed in as a plain researcher (the stock admin: a staff researcher), never a superuser.",
        "",
        "## Newsroom mix",
        "",
        "Researchers and reviewers read lists (filters, sorts, later pages), claim pages, article "
        "pages and searches, every URL new; every eleventh request is a write: evidence added to a "
        "draft, a passage tagged as a new claim, or a verdict published on a claim in review.",
        "",
    ]
    for side in (candidate, baseline):
        if side.mix_run is None:
            continue
        total = side.mix_run.total
        problems = "; ".join(side.mix_run.problems) or "every answer as expected, no URL repeated"
        floor, first = mix_floor_of(side), floor_of(side)
        lines += [
            f"**{side.label}**: {total.count:,} requests in {side.mix_run.seconds:.1f} s, "
            f"{total.requests_per_second:,.0f} req/s = "
            f"{ratio_text(total.requests_per_second, floor.requests_per_second)}× the "
            f"floor's; {problems}.",
            "",
            f"Its floor, measured just before it: {floor.requests_per_second:,.0f} req/s "
            f"(p99 {floor.p99_ms:.1f} ms). Against the floor measured at the start of the run "
            f"({first.requests_per_second:,.0f} req/s) the mix is "
            f"{ratio_text(total.requests_per_second, first.requests_per_second)}×.",
            "",
            "| kind | requests | failed | p50 ms | p99 ms | p99 ÷ floor's |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for kind in sorted(side.mix_run.kinds.values(), key=lambda kind: -kind.count):
            lines.append(
                f"| {kind.kind} | {kind.count:,} | {kind.failed} | {kind.p50_ms:.1f} | "
                f"{kind.p99_ms:.1f} | {ratio_text(kind.p99_ms, floor.p99_ms, 1)} |"
            )
        lines.append("")
    lines += ["## Budgets (this checkout)", ""]
    lines += [f"- {'met' if ok else '**missed**'}: {text}" for ok, text in verdicts]
    return "\n".join(lines) + "\n"


def floor_of(side: Side) -> Figure:
    return side.figures[0]


def mix_floor_of(side: Side) -> Figure:
    """The floor the mix is held to: the one measured just before it, where there is one."""
    return next((f for f in side.figures if f.kind == "mix-floor"), floor_of(side))


def write_results(candidate: Side, baseline: Side, verdicts, values, seconds) -> None:
    postgres = manage(
        "shell",
        "-c",
        "from django.db import connection; "
        "print(connection.cursor().connection.info.server_version)",
    )
    environment = [
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
        f"- PostgreSQL server version {postgres}; Python {platform.python_version()}",
        f"- Data: {SIZE:,} generated claims (`manage.py generate_data`), plus the demo; each "
        "side served a copy of the same database",
        f"- Server: gunicorn, 2 workers, DEBUG=0; load: wrk with bench/player.lua, {THREADS} "
        f"threads of one connection each, {DURATION} s per URL after {WARM_UP} s of warm-up, "
        f"the mix {MIX_DURATION} s, on loopback",
        f"- Search terms: rare `{values['rare']}`, medium `{values['medium']}`, "
        f"very common `{values['common']}`",
        f"- Whole run: {seconds / 60:.1f} min",
    ]
    text = results_text(candidate, baseline, verdicts, environment)
    (ROOT / "bench" / "results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
