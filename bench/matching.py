"""Claim matching: recall on the paraphrase set, and suggestion latency at 100k and 1M claims.

Run: .venv/bin/python bench/matching.py          (quality only: SQLite in a temporary folder)
     .venv/bin/python bench/matching.py 100000 1000000
                                                  (and latency on PostgreSQL, per size)
Quality: the AVeriTeC claims in ../shared/data/averitec/dev.json (each distinct text once) are
loaded as existing claims; every query of bench/paraphrases.json asks claims.matching.suggest,
with the query's own claim left out. Then the same file is imported as external fact-checks
(sources.actions.import_fact_check_file, format "averitec") and the queries ask that kind.
Latency: `generate_data` rows in a database of their own per size (DATABASE_URL's server,
database ct_matching_<size>, made and filled when missing), queried in this process after one
warm-up. Writes bench/matching.md.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PARAPHRASES = ROOT / "bench" / "paraphrases.json"
AVERITEC = ROOT.parent / "shared" / "data" / "averitec" / "dev.json"
REPORT = ROOT / "bench" / "matching.md"
LATENCY_QUERIES = 300
CANDIDATES_NOTE = "100 (claims.matching.CANDIDATES)"


@dataclass
class Query:
    text: str
    own: int | None  # the AVeriTeC index asked (left out of the candidates), if any
    answers: set[int]  # AVeriTeC indices that count as a hit
    kind: str  # "averitec", "written" or "unrelated"


def queries(claims: list[str], paraphrases: dict) -> list[Query]:
    """Every question of the set, with the claims that answer it."""
    found = []
    for group in paraphrases["groups"]:
        for own in group:
            others = {i for i in group if claims[i] != claims[own]}
            found.append(Query(claims[own], own, others, "averitec"))
    for answers, text in paraphrases["written"]:
        answers = set(answers) if isinstance(answers, list) else {answers}
        found.append(Query(text, None, answers, "written"))
    found += [Query(text, None, set(), "unrelated") for text in paraphrases["unrelated"]]
    return found


def load_claims(claims: list[str]) -> dict[str, int]:
    """The claims as rows with their vectors: each distinct text once. Returns text -> claim id."""
    from claims import actions
    from claims.models import Claim, search_document

    texts = list(dict.fromkeys(claims))
    rows = Claim.objects.bulk_create(
        Claim(
            text=text, search_document=search_document(text=text, claimant="", tags=[], quotes=[])
        )
        for text in texts
    )
    actions.embed_claims([row.pk for row in rows])
    return {row.text: row.pk for row in rows}


@dataclass
class Quality:
    asked: dict[str, int] = field(default_factory=dict)
    at_1: dict[str, int] = field(default_factory=dict)
    at_5: dict[str, int] = field(default_factory=dict)
    hit_scores: list[float] = field(default_factory=list)  # the best score, where it was right
    unrelated_scores: list[float] = field(default_factory=list)  # the best score, unrelated
    wrong_scores: list[float] = field(default_factory=list)  # the best score, where it was wrong
    confident_unrelated: int = 0
    confident_wrong: int = 0  # a confident first suggestion that is not an answer
    misses: list[str] = field(default_factory=list)

    def recall(self, at: dict[str, int], kinds=("averitec", "written")) -> float:
        asked = sum(self.asked.get(kind, 0) for kind in kinds)
        return sum(at.get(kind, 0) for kind in kinds) / asked if asked else 0.0


def load_external_checks(claims: list[str]) -> tuple[dict[str, set[int]], str]:
    """The AVeriTeC file imported as other organisations' fact-checks, through the real import
    (sources.actions, vectors and all). Returns text -> the ids of the checks of that claim
    (one claim checked in two articles is two checks), and what the import reported."""
    from sources import actions, factchecks
    from sources.models import ExternalFactCheck

    report = actions.import_fact_check_file(
        AVERITEC.read_bytes(), by=None, format="averitec", file_name=AVERITEC.name
    )
    print(f"External fact-checks imported: {report.summary}", flush=True)
    by_key: dict[str, set[int]] = {}
    for pk, key in ExternalFactCheck.objects.values_list("pk", "claim_key"):
        by_key.setdefault(key, set()).add(pk)
    ids = {text: by_key.get(factchecks.claim_key(text), set()) for text in claims}
    return ids, report.summary.removesuffix(".")


def evaluate(
    claims: list[str], ids: dict, asked: list[Query], *, external: bool = False
) -> Quality:
    """Ask every query. `external`: ids maps texts to sets of external check ids, and only that
    kind is asked; the query's own check(s) are dropped from the answer, as a claim's own is."""
    from claims import matching

    quality = Quality()
    for query in asked:
        if external:
            own = ids[claims[query.own]] if query.own is not None else set()
            found = matching.suggest(
                query.text, limit=5 + len(own), kinds=[matching.ExternalChecks()]
            )
            found = [suggestion for suggestion in found if suggestion.id not in own][:5]
        else:
            own = ids[claims[query.own]] if query.own is not None else None
            found = matching.suggest(
                query.text, limit=5, exclude_claim=own, kinds=matching.CLAIMS_ONLY
            )
        quality.asked[query.kind] = quality.asked.get(query.kind, 0) + 1
        best = found[0] if found else None
        if query.kind == "unrelated":
            quality.unrelated_scores.append(best.score if best else 0.0)
            quality.confident_unrelated += bool(best and best.confident)
            continue
        if external:
            answers = set().union(*(ids[claims[i]] for i in query.answers))
        else:
            answers = {ids[claims[i]] for i in query.answers}
        ranked = [suggestion.id for suggestion in found]
        if ranked[:1] and ranked[0] in answers:
            quality.at_1[query.kind] = quality.at_1.get(query.kind, 0) + 1
            quality.hit_scores.append(best.score)
        elif best:
            quality.wrong_scores.append(best.score)
            quality.confident_wrong += best.confident
        if answers & set(ranked):
            quality.at_5[query.kind] = quality.at_5.get(query.kind, 0) + 1
        else:
            quality.misses.append(query.text)
    return quality


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def quality_section() -> list[str]:
    from django.core.management import call_command

    from claims import matching

    call_command("migrate", verbosity=0)
    claims = [row["claim"] for row in json.loads(AVERITEC.read_text())]
    ids = load_claims(claims)
    asked = queries(claims, json.loads(PARAPHRASES.read_text()))
    lines = [
        "## Quality: the paraphrase set",
        "",
        f"{len(ids)} distinct AVeriTeC claims loaded as claims; "
        + ", ".join(f"{sum(q.kind == k for q in asked)} {k}" for k in ("averitec", "written"))
        + f" paraphrase queries; {sum(q.kind == 'unrelated' for q in asked)} unrelated ones. "
        "Recall counts a query as found when an answer is the first suggestion (@1) or among "
        "the five (@5).",
        "",
        "| ranking | recall@1 | recall@5 | AVeriTeC @1/@5 | written @1/@5 "
        "| unrelated with a confident suggestion | wrong confident first suggestions |",
        "|---|---|---|---|---|---|---|",
    ]
    rows, shipped = variant_rows(claims, ids, asked)
    lines += rows
    hits, unrelated = sorted(shipped.hit_scores), sorted(shipped.unrelated_scores)
    confident_hits = sum(score >= matching.CONFIDENT for score in hits)
    wrong = ", ".join(f"{score:.3f}" for score in sorted(shipped.wrong_scores)) or "none"
    lines += [
        "",
        f"Hybrid scores (cosine + {matching.LEXICAL_WEIGHT} × shared content words): the best "
        f"unrelated query scored {unrelated[-1]:.3f} (median {statistics.median(unrelated):.3f}); "
        f"wrong first suggestions scored {wrong}; right first suggestions scored from "
        f"{hits[0]:.3f} (10th percentile {hits[len(hits) // 10]:.3f}, median "
        f"{statistics.median(hits):.3f}). With CONFIDENT = {matching.CONFIDENT}, "
        f"{confident_hits} of {len(hits)} right first suggestions are confident.",
    ]
    if shipped.misses:
        lines += ["", "Not in the five: " + "; ".join(f"“{text}”" for text in shipped.misses)]
    return lines


def external_section() -> list[str]:
    """The same queries against the AVeriTeC claims imported as external fact-checks."""
    from sources.models import ExternalFactCheck

    claims = [row["claim"] for row in json.loads(AVERITEC.read_text())]
    ids, report = load_external_checks(claims)
    asked = queries(claims, json.loads(PARAPHRASES.read_text()))
    lines = [
        "## Quality: the paraphrase set against external fact-checks",
        "",
        f"The AVeriTeC file imported as other organisations' fact-checks through the real "
        f'import (`import_fact_check_file(..., format="averitec")`, vectors made by it): '
        f"{ExternalFactCheck.objects.count()} external fact-checks ({report}), covering "
        f"{len({text for text, found in ids.items() if found})} of the {len(set(claims))} "
        "distinct claim texts (texts that differ only in case or punctuation are one check, as "
        "they are one claim to the import). The same "
        "queries, asking the external fact-check kind alone (the claims of the run above are "
        "not asked); a query's own fact-check is left out, as its own claim is above.",
        "",
        "| ranking | recall@1 | recall@5 | AVeriTeC @1/@5 | written @1/@5 "
        "| unrelated with a confident suggestion | wrong confident first suggestions |",
        "|---|---|---|---|---|---|---|",
    ]
    rows, shipped = variant_rows(claims, ids, asked, external=True)
    lines += rows
    hits, unrelated = sorted(shipped.hit_scores), sorted(shipped.unrelated_scores)
    wrong = ", ".join(f"{score:.3f}" for score in sorted(shipped.wrong_scores)) or "none"
    lines += [
        "",
        f"Hybrid scores: the best unrelated query scored {unrelated[-1]:.3f}; wrong first "
        f"suggestions scored {wrong}; right first suggestions scored from {hits[0]:.3f} "
        f"(median {statistics.median(hits):.3f}).",
    ]
    if shipped.misses:
        lines += ["", "Not in the five: " + "; ".join(f"“{text}”" for text in shipped.misses)]
    return lines


VARIANTS = [
    ("embedding only (cosine of int8 vectors)", {"LEXICAL_WEIGHT": 0, "TEXT_CANDIDATES": 0}),
    ("hybrid (as shipped)", {}),
]


def variant_rows(
    claims, ids, asked, prefix: str = "", *, external: bool = False
) -> tuple[list[str], Quality]:
    """A table row per ranking variant; and the shipped one's figures."""
    from claims import matching

    rows, shipped = [], None
    for name, settings in VARIANTS:
        saved = {key: getattr(matching, key) for key in settings}
        for key, value in settings.items():
            setattr(matching, key, value)
        started = time.perf_counter()
        result = evaluate(claims, ids, asked, external=external)
        seconds = time.perf_counter() - started
        for key, value in saved.items():
            setattr(matching, key, value)
        rows.append(
            f"| {prefix}{name} | {result.recall(result.at_1):.2f} "
            f"| {result.recall(result.at_5):.2f} "
            f"| {result.recall(result.at_1, ['averitec']):.2f}"
            f"/{result.recall(result.at_5, ['averitec']):.2f} "
            f"| {result.recall(result.at_1, ['written']):.2f}"
            f"/{result.recall(result.at_5, ['written']):.2f} "
            f"| {result.confident_unrelated}/{result.asked['unrelated']} "
            f"| {result.confident_wrong} |"
        )
        print(rows[-1], f"({seconds:.1f} s)", flush=True)
        if not settings:
            shipped = result
    return rows, shipped


def latency_section(base_url: str, sizes: list[int]) -> list[str]:
    import psycopg
    from psycopg import sql

    server = base_url.rsplit("/", 1)[0]
    lines = [
        "## Latency at scale (PostgreSQL)",
        "",
        f"`claims.matching.suggest(text, limit=5)` called in one process on generated claims, "
        f"{LATENCY_QUERIES} texts each (claim texts reworded by dropping and swapping words), "
        "after the first call, which loads the codes (the index load). Then the tagging form's "
        "own request for its list (`GET /claims/similar/?text=…&for_tagging=1` with htmx, as a "
        "signed-in researcher, through every middleware, in-process with Django's test client). "
        "Measured under `nice -n 19` on a 2-core machine shared with other work: a max far above "
        "the p99 with little of it in the database is the process waiting for a core.",
        "",
        "| claims | index load | suggest p50 | p99 | max | queries per call "
        "| of the max, in the database | tagging form's list p50 | p99 | max |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    at_scale = [
        "",
        "The paraphrase set again, its AVeriTeC claims added to the generated ones (a needle "
        "among a million claims: the binary scan must still keep the answer among its "
        f"{CANDIDATES_NOTE} candidates):",
        "",
        "| claims, ranking | recall@1 | recall@5 | AVeriTeC @1/@5 | written @1/@5 "
        "| unrelated with a confident suggestion | wrong confident first suggestions |",
        "|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        name = f"ct_matching_{size}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        row, quality = run_latency(f"{server}/{name}", size)
        lines.append(row)
        at_scale += quality
        print(row, flush=True)
    return lines + at_scale


def run_latency(database_url: str, size: int) -> str:
    import subprocess

    env = {**os.environ, "DATABASE_URL": database_url}
    script = f"""
import sys; sys.path.insert(0, {str(ROOT)!r})
from bench.matching import measure_here
import json; print(json.dumps(measure_here({size})))
"""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["latency"], found["quality"]


def measure_here(size: int) -> str:
    """One size's row: fill the database when it is short, then time suggestions."""
    import random

    setup_django(os.environ["DATABASE_URL"])
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims import matching
    from claims.models import Claim

    call_command("migrate", verbosity=0)
    if (have := Claim.objects.count()) < size:
        call_command("generate_data", claims=size - have)
    rnd = random.Random(15)  # noqa: S311 - a reproducible sample, not a secret
    texts = list(Claim.objects.order_by("?").values_list("text", flat=True)[:LATENCY_QUERIES])
    asked = []
    for text in texts:
        words = text.rstrip(".").split()
        del words[rnd.randrange(len(words))]
        i = rnd.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        asked.append(" ".join(words))
    started = time.perf_counter()
    matching.suggest(asked[0])
    load = time.perf_counter() - started
    timings, counts, in_database = [], set(), []
    for text in asked:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            matching.suggest(text)
            timings.append((time.perf_counter() - started) * 1000)
        counts.add(len(captured))
        in_database.append(sum(float(query["time"]) for query in captured) * 1000)
    slowest = max(range(len(timings)), key=timings.__getitem__)
    page = page_timings(asked)
    latency = (
        f"| {size:,} | {load:.1f} s | {figures(timings)} | {', '.join(map(str, sorted(counts)))} "
        f"| {in_database[slowest]:.0f} ms | {figures(page)} |"
    )
    # The paraphrase set among these claims (added once; the latency above is without them).
    claims = [row["claim"] for row in json.loads(AVERITEC.read_text())]
    known = dict(Claim.objects.filter(text__in=claims).values_list("text", "pk"))
    ids = known if len(known) == len(set(claims)) else load_claims(claims)
    quality, _ = variant_rows(
        claims, ids, queries(claims, json.loads(PARAPHRASES.read_text())), prefix=f"{size:,}, "
    )
    return {"latency": latency, "quality": quality}


def figures(timings: list[float]) -> str:
    timings = sorted(timings)
    p99 = timings[min(len(timings) - 1, round(0.99 * len(timings)))]
    return f"{statistics.median(timings):.0f} ms | {p99:.0f} ms | {timings[-1]:.0f} ms"


def page_timings(asked: list[str]) -> list[float]:
    """The tagging form's htmx request for its list, as a signed-in researcher, in-process."""
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["testserver"]
    user = User.objects.filter(username="matching-bench").first()
    if user is None:
        user = User.objects.create_user("matching-bench")
        user.groups.add(Group.objects.get(name="Researcher"))
    client = Client()
    client.force_login(user)
    url, timings = reverse("claims:similar"), []
    for text in asked:
        started = time.perf_counter()
        response = client.get(
            url, {"text": text, "for_tagging": "1"}, headers={"HX-Request": "true"}
        )
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"The similar claims answered {response.status_code}.")
    return timings


def main() -> None:
    sizes = [int(size) for size in sys.argv[1:]]
    if not AVERITEC.exists():
        sys.exit(f"The paraphrase set needs {AVERITEC.relative_to(ROOT.parent)} beside the clone.")
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/claimtracker")
    folder = tempfile.mkdtemp(prefix="matching-bench-")
    setup_django(f"sqlite:///{folder}/bench.sqlite3")
    # The report's sections by heading: those measured now are replaced, the others kept.
    sections = {}
    if REPORT.exists():
        for part in REPORT.read_text().split("\n## ")[1:]:
            sections[part.split("\n", 1)[0]] = "## " + part.rstrip("\n")
    quality, external = quality_section(), external_section()
    measured = {part[0][3:]: "\n".join(part) for part in (quality, external)}
    # The two quality runs first, side by side; the other sections as they were.
    sections = measured | {title: text for title, text in sections.items() if title not in measured}
    if sizes:
        latency = latency_section(base_url, sizes)
        sections[latency[0][3:]] = "\n".join(latency)
    REPORT.write_text("# Claim matching\n\n" + "\n\n".join(sections.values()) + "\n")
    print(f"Wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
