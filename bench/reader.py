"""The reader's render time for articles with 1,000, 4,000 and 10,000 mentions.

Run: .venv/bin/python bench/reader.py   (SQLite in a temporary folder; nothing else needed)
Each article is drawn five times by a signed-in researcher (not a superuser) with every cache
off, and the median is reported. Writes bench/reader.md.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COUNTS = [1_000, 4_000, 10_000]
RUNS = 5


def main() -> None:
    folder = tempfile.mkdtemp(prefix="reader-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = ["testserver"]
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from articles.actions import add_article
    from claims.models import Claim, Mention

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench-researcher")
    user.groups.add(Group.objects.get(name="Researcher"))
    client = Client()
    client.force_login(user)
    claims = Claim.objects.bulk_create(Claim(text=f"Claim {n}.") for n in range(100))
    rows = []
    for count in COUNTS:
        word = "claim "
        article = add_article(by=user, title=f"{count} mentions", text=word * (count * 2))
        Mention.objects.bulk_create(
            Mention(
                claim=claims[n % 100],
                article=article,
                start=n * 2 * len(word),
                end=n * 2 * len(word) + len(word) - 1,
                quote="claim",
            )
            for n in range(count)
        )
        url = reverse("reader:article", args=[article.pk])
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"The reader answered {response.status_code}.")
        rows.append((count, statistics.median(timings), min(timings)))
    lines = [
        "# The reader at scale",
        "",
        f"Median and best of {RUNS} renders, SQLite, every cache off (bench/reader.py).",
        "",
        "| mentions | median | best |",
        "|---:|---:|---:|",
        *(f"| {count:,} | {median:.3f} s | {best:.3f} s |" for count, median, best in rows),
    ]
    (ROOT / "bench" / "reader.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
