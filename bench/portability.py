"""Exports and backup at scale (make bench): memory of the streamed exports, and a backup of
the demo plus SIZE generated claims restored into empty PostgreSQL and SQLite databases.

Run: .venv/bin/python bench/portability.py [SIZE]      (default 100000)
Its own PostgreSQL database, claimtracker_portability_<SIZE> on DATABASE_URL's server, is made
and filled once. Each export is read through Django's test client in a process of its own, as
a signed-in researcher; the growth of that process's peak memory (ru_maxrss) over the request
is what holding the export would cost. Every table of the restored databases is compared with
the original row for row (pages.backup.table_rows, as tests/test_backup.py does), through a
SHA-256 of each table's rows. Writes bench/portability.md; exits 1 when a table differs or an
export's memory grows with its size.
"""

import datetime
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import PYTHON, create_database, database_name, drop_database, server_url  # noqa: E402

SIZE = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = server_url(SERVER).rsplit("/", 1)[0] + f"/claimtracker_portability_{SIZE}"
RESTORED_URL = DATABASE_URL + "_restored"
REPORT = ROOT / "bench" / "portability.md"
# An export that streams holds a chunk of rows at a time; one held whole would grow the process
# by at least its own size (tens of MB at 100k claims).
MAX_EXPORT_GROWTH_MB = 16
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": "portability-bench-only-" + "x" * 40,
    "ALLOWED_HOSTS": "testserver",  # Django's test client, in the export's process
}


def manage(*args: str, database_url: str = DATABASE_URL, debug: bool = False) -> str:
    env = {**ENV, "DATABASE_URL": database_url, "DEBUG": "1" if debug else "0"}
    result = subprocess.run(  # noqa: S603 - our own command, no untrusted input
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


def child(mode: str, database_url: str, *args: str) -> dict:
    """This file's --export or --digest mode in a process of its own; its JSON answer."""
    env = {**ENV, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603
        [PYTHON, __file__, mode, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


COUNT = "from claims.models import Claim; print(Claim.objects.count())"


def prepare() -> int:
    """Migrate, generate SIZE claims once, add the demo; the number of claims."""
    create_database(DATABASE_URL)
    manage("migrate", "--no-input")
    count = int(manage("shell", "--no-imports", "-c", COUNT))
    if count < SIZE:
        print(f"Generating {SIZE - count:,} claims…", flush=True)
        manage("generate_data", "--claims", str(SIZE - count))
    manage("load_demo", debug=True)
    return int(manage("shell", "--no-imports", "-c", COUNT))


# --- in the child processes ---------------------------------------------------------------


def setup_django() -> None:
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def export(fmt: str, query: str) -> dict:
    setup_django()
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="researcher"))
    url = f"/claims/export.{fmt}"

    def get(query: str):
        response = client.get(f"{url}?{query}", secure=True)  # secure: no redirect to https
        if response.status_code != 200:
            raise RuntimeError(f"{url}?{query} answered {response.status_code}")
        return response

    for chunk in get("status=published").streaming_content:  # warm-up: code and queries loaded
        del chunk
    before = peak_mb()
    started = time.perf_counter()
    response = get(query)
    size = 0
    rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    return {
        "seconds": time.perf_counter() - started,
        "bytes": size,
        "lines": rows,
        "before_mb": before,
        "growth_mb": peak_mb() - before,
    }


def digest() -> dict:
    setup_django()
    from pages.backup import compared_tables, table_rows

    tables = {}
    for model in compared_tables():
        sha, rows = hashlib.sha256(), 0
        for row in table_rows(model):
            sha.update(repr(row).encode())
            rows += 1
        tables[model._meta.label] = [rows, sha.hexdigest()]
    return tables


# --- the run --------------------------------------------------------------------------------


def timed(label: str, *args, **kwargs) -> float:
    started = time.perf_counter()
    manage(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    return seconds


def main() -> int:
    started = time.perf_counter()
    claims = prepare()
    print(f"{claims:,} claims in {database_name(DATABASE_URL)}", flush=True)
    lines, failed = [], []

    exports = []
    for fmt in ("csv", "json"):
        for label, query in (("every claim", ""), ("drafts only", "status=draft")):
            figures = child("--export", DATABASE_URL, fmt, query)
            exports.append((fmt, label, figures))
            print(f"export {fmt} {label}: {figures}", flush=True)
            if figures["growth_mb"] > MAX_EXPORT_GROWTH_MB:
                failed.append(
                    f"the {fmt} export of {label} grew memory {figures['growth_mb']:.0f} MB"
                )

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "desk.jsonl.gz"
        results["backup"] = timed("backup", "backup", str(path))
        size_mb = path.stat().st_size / 1e6
        drop_database(RESTORED_URL)
        create_database(RESTORED_URL)
        manage("migrate", "--no-input", database_url=RESTORED_URL)
        results["restore into PostgreSQL"] = timed(
            "restore into PostgreSQL", "restore", str(path), database_url=RESTORED_URL
        )
        sqlite_url = f"sqlite:///{folder}/restored.sqlite3"
        manage("migrate", "--no-input", database_url=sqlite_url)
        results["restore into SQLite"] = timed(
            "restore into SQLite", "restore", str(path), database_url=sqlite_url
        )
        original = child("--digest", DATABASE_URL)
        restored = {
            "PostgreSQL": child("--digest", RESTORED_URL),
            "SQLite": child("--digest", sqlite_url),
        }
    drop_database(RESTORED_URL)
    total_rows = sum(rows for rows, _ in original.values())
    differing = {
        kind: [label for label in original if tables.get(label) != original[label]]
        for kind, tables in restored.items()
    }
    for kind, labels in differing.items():
        if labels or restored[kind].keys() != original.keys():
            failed.append(f"restored into {kind}, these tables differ: {', '.join(labels)}")

    lines += [
        "# Exports and backup at scale",
        "",
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Data: {claims:,} claims (`manage.py generate_data` plus the demo), PostgreSQL",
        f"- Whole run: {(time.perf_counter() - started) / 60:.1f} min",
        "",
        "## Exports, streamed",
        "",
        "Read through Django's test client in a process of its own, signed in as a researcher; "
        "growth is the process's peak memory during the request over its peak before it "
        f"(at most {MAX_EXPORT_GROWTH_MB} MB passes; an export held whole would grow by at least "
        "its size).",
        "",
        "| export | lines | size MB | seconds | peak before MB | growth MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for fmt, label, f in exports:
        lines.append(
            f"| {fmt}, {label} | {f['lines']:,} | {f['bytes'] / 1e6:.1f} | {f['seconds']:.1f} "
            f"| {f['before_mb']:.0f} | {f['growth_mb']:.1f} |"
        )
    lines += [
        "",
        "## Backup and restore",
        "",
        f"`manage.py backup` wrote {size_mb:.1f} MB (gzip'd JSON Lines); `manage.py restore` "
        "loaded it into an empty, migrated database of each kind.",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {step} | {seconds:.1f} |" for step, seconds in results.items()],
        "",
        f"Compared row for row: {len(original)} tables, {total_rows:,} rows.",
        "",
        "| restored into | tables equal | tables differing |",
        "|---|---:|---:|",
        *[
            f"| {kind} | {len(original) - len(labels)} | {len(labels)} |"
            for kind, labels in differing.items()
        ],
        "",
        "## Verdict",
        "",
        *([f"- **failed**: {reason}" for reason in failed] or ["- every check passed"]),
        "",
    ]
    REPORT.write_text("\n".join(lines))
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--export":
        print(json.dumps(export(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--digest":
        print(json.dumps(digest()))
    else:
        sys.exit(main())
