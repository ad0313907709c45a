"""What make bench asks the server for, and what it makes of the answers; no Django, no wrk.

Each wrk thread replays its own plan (bench/player.lua), so every request is decided here,
where it can be tested: which kind it is, which user sends it, and a URL that no other request
in the run repeats (an `n` parameter the views ignore but any cache keyed by URL would see).
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

READER_KINDS = ("list", "claim", "article", "search")
# Ten reads for each write: the lists are what the desk opens most.
READ_CYCLE = ("list",) * 4 + ("claim",) * 2 + ("article",) * 2 + ("search",) * 2
WRITE_CYCLE = ("evidence", "tag", "publish")
CYCLE = len(READ_CYCLE) + 1
LIST_FILTERS = (
    "",
    "status=draft",
    "status=published",
    "status=in_review",
    "sort=oldest",
    "sort=most_evidence",
    "contested=on",
    "contradicted=on",
    "status=published&sort=most_evidence",
)
RESEARCHER, REVIEWER = "researcher", "reviewer"
# What a request's answer must be: a page for a read, a redirect (not to sign-in) for a write.
READ_STATUS, WRITE_STATUS = 200, 302


@dataclass(frozen=True)
class Planned:
    kind: str
    method: str
    user: str
    path: str
    body: str = ""

    @property
    def is_write(self) -> bool:
        return self.method == "POST"

    def as_line(self) -> str:
        return "\t".join([self.kind, self.method, self.user, self.path, self.body])


@dataclass
class Newsroom:
    """What the fixture prepared for the mix (bench/fixtures.py prints it)."""

    claims: list[int]
    articles: list[int]
    search_words: list[str]
    list_cursors: list[str]
    evidence_claims: list[int]
    sources: list[int]
    tag_passages: list[list]
    publish: list[list[int]]
    rating: int
    today: str


def unique(path: str, tag: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}n={tag}"


def read_request(room: Newsroom, kind: str, number: int, tag: str, user: str) -> Planned:
    """A read of `kind`, varied by `number` so the whole data set is visited, not one row."""
    # A stride coprime with the pools' sizes walks each pool in a scattered order.
    spread = number * 7919
    if kind == "list":
        query = LIST_FILTERS[number % len(LIST_FILTERS)]
        if number % 3 == 0 and room.list_cursors and "sort=" not in query:
            cursor = room.list_cursors[spread % len(room.list_cursors)]
            query = f"{query}&cursor={quote(cursor)}" if query else f"cursor={quote(cursor)}"
        path = f"/claims/?{query}" if query else "/claims/"
    elif kind == "claim":
        path = f"/claims/{room.claims[spread % len(room.claims)]}/"
    elif kind == "article":
        path = f"/articles/{room.articles[spread % len(room.articles)]}/"
    elif kind == "search":
        path = f"/search/?q={quote(room.search_words[number % len(room.search_words)])}"
    else:
        raise ValueError(kind)
    return Planned(kind, "GET", user, unique(path, tag))


def evidence_request(room: Newsroom, number: int) -> Planned:
    """Evidence `number`: a (claim, source, stance) no other evidence request in the run uses."""
    claims, sources = len(room.evidence_claims), len(room.sources)
    if number >= claims * sources * 3:
        # Another pass would repeat an item, which the server rightly refuses as a duplicate.
        raise ValueError(f"evidence request {number}: prepare more draft claims or sources")
    claim = room.evidence_claims[number % claims]
    source = room.sources[(number // claims) % sources]
    stance = ("supports", "contradicts", "context")[(number // (claims * sources)) % 3]
    body = urlencode(
        {"source": f"#{source}", "stance": stance, "excerpt": "", "note": "", "title": ""}
        | {"type": ""}
    )
    return Planned("evidence", "POST", RESEARCHER, f"/claims/{claim}/evidence/", body)


def tag_request(room: Newsroom, number: int, tag: str) -> Planned:
    article, passage = room.tag_passages[number % len(room.tag_passages)]
    fields = {
        "passage": passage,
        "text": f"Benchmark tagged claim {tag}: {passage}",
        "claimant": "",
        "claimant_kind": "person",
        "claimant_role": "",
        "claimed_on": "",
        "tag_names": "benchmark",
        "existing_claim": "",
    }
    return Planned("tag", "POST", RESEARCHER, f"/articles/{article}/tag/", urlencode(fields))


def publish_request(room: Newsroom, number: int) -> Planned:
    claim, version = room.publish[number]
    fields = {
        "rating": room.rating,
        "rationale": "Benchmark verdict: the official figures say otherwise.",
        "as_of": room.today,
        "seen_version": version,
    }
    return Planned("publish", "POST", REVIEWER, f"/claims/{claim}/publish/", urlencode(fields))


def newsroom_plan(
    room: Newsroom, *, thread: int, threads: int, length: int, phase: str, writes: bool = True
) -> list[Planned]:
    """Thread `thread`'s requests: the run's n-th request is the thread's (n // threads)-th.

    Numbering the whole run's requests this way gives every thread its own numbers, so no two
    threads ask for the same URL or write the same row. Every eleventh request is a write.
    """
    plan = []
    for counter in range(length):
        number = counter * threads + thread
        slot, round_ = number % CYCLE, number // CYCLE
        tag = f"{phase}.{number}"
        if slot < len(READ_CYCLE) or not writes:
            kind = READ_CYCLE[slot % len(READ_CYCLE)]
            # Researchers and reviewers both read: alternate by request.
            user = RESEARCHER if number % 2 == 0 else REVIEWER
            plan.append(read_request(room, kind, round_, tag, user))
            continue
        kind, target = WRITE_CYCLE[round_ % 3], round_ // 3
        if kind == "evidence":
            plan.append(evidence_request(room, 2 * target))
        elif kind == "tag":
            plan.append(tag_request(room, target, tag))
        elif target < len(room.publish):
            plan.append(publish_request(room, target))
        else:
            # The prepared claims are used up: another write, on evidence numbers of its own.
            plan.append(evidence_request(room, 2 * target + 1))
    return plan


def single_plan(
    path: str, *, thread: int, threads: int, length: int, phase: str, fresh: bool
) -> list[Planned]:
    """One URL: asked for again and again (one entry, replayed), or made new on every request."""
    if not fresh:
        return [Planned("page", "GET", RESEARCHER, path)]
    return [
        Planned("page", "GET", RESEARCHER, unique(path, f"{phase}.{counter * threads + thread}"))
        for counter in range(length)
    ]


def plan_length(ceiling_per_second: float, seconds: float, threads: int) -> int:
    """Enough requests per thread for the fastest the server could go: the floor's rate."""
    return math.ceil(ceiling_per_second * seconds * 1.5 / threads) + 100


@dataclass(frozen=True)
class Answer:
    """One line of a player log: what was asked and what came back."""

    kind: str
    method: str
    status: int
    microseconds: float
    path: str
    location: str

    @classmethod
    def parse(cls, line: str) -> "Answer":
        kind, method, status, microseconds, path, location = line.rstrip("\n").split("\t")
        return cls(kind, method, int(status), float(microseconds), path, location)

    @property
    def failed(self) -> bool:
        if self.method == "GET":
            return self.status != READ_STATUS
        return self.status != WRITE_STATUS or "/accounts/login/" in self.location


@dataclass
class KindFigures:
    kind: str
    count: int
    failed: int
    p50_ms: float
    p99_ms: float
    requests_per_second: float


@dataclass
class Run:
    """A player run: each kind's figures, the whole run's, and what went wrong."""

    seconds: float
    kinds: dict[str, KindFigures]
    total: KindFigures
    repeated_urls: int = 0
    problems: list[str] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, as wrk reports it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures_of(kind: str, answers: list[Answer], seconds: float) -> KindFigures:
    milliseconds = [answer.microseconds / 1000 for answer in answers]
    return KindFigures(
        kind=kind,
        count=len(answers),
        failed=sum(answer.failed for answer in answers),
        p50_ms=statistics.median(milliseconds) if milliseconds else 0.0,
        p99_ms=percentile(milliseconds, 0.99) if milliseconds else 0.0,
        requests_per_second=len(answers) / seconds if seconds else 0.0,
    )


def summarise(answers: list[Answer], seconds: float, *, unique_reads: bool) -> Run:
    by_kind = defaultdict(list)
    for answer in answers:
        by_kind[answer.kind].append(answer)
    kinds = {kind: figures_of(kind, found, seconds) for kind, found in by_kind.items()}
    run = Run(seconds, kinds, figures_of("all", answers, seconds))
    if unique_reads:
        reads = [answer.path for answer in answers if answer.method == "GET"]
        run.repeated_urls = len(reads) - len(set(reads))
        if run.repeated_urls:
            run.problems.append(f"{run.repeated_urls} URLs were asked for more than once")
    # Two answers for one write target would mean a write was retried or planned twice.
    publishes = [answer.path for answer in answers if answer.kind == "publish"]
    if len(publishes) != len(set(publishes)):
        run.problems.append("a verdict was published twice on one claim")
    for figures in kinds.values():
        if figures.failed:
            run.problems.append(
                f"{figures.failed} of {figures.count} {figures.kind} requests failed"
            )
    if not answers:
        run.problems.append("no answers were logged")
    return run
