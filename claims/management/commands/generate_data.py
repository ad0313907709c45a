"""Build a large, reproducible dataset for benchmarks: claims with everything around them.

Proportions follow the demo: per claim about 1.2 mentions and 2 evidence items; an article for
every 5 claims, a source for every 2, a claimant for every 50, a few hundred outlets; 40% of
claims in draft, 20% submitted, 10% in review, 30% published. The same --seed gives the same
rows. PostgreSQL is loaded with COPY, SQLite with batched inserts; ids are assigned here so
rows can point at each other without reading anything back; PostgreSQL's indexes and foreign
keys are rebuilt once at the end. Text is drawn from 2,000 sentences per length, plus one claim in
a hundred carrying a rare word (for benchmarks). Generated rows have no history; published ones
have their Publication, and search text comes from the same builder the actions use.
"""

import datetime
import json
import random
import time
from contextlib import contextmanager
from itertools import batched

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from articles.models import Article, text_hash
from claims.models import (
    Claim,
    Claimant,
    ClaimEmbedding,
    Evidence,
    Mention,
    Publication,
    Rating,
    Tag,
    search_document,
)
from lib.embedding import compact
from lib.embedding import embedder as default_embedder
from sources.models import Outlet, Source
from sources.urlnorm import url_key

WORDS = [
    "army",
    "troops",
    "border",
    "missile",
    "drone",
    "strike",
    "officials",
    "minister",
    "report",
    "village",
    "front",
    "ceasefire",
    "convoy",
    "artillery",
    "shells",
    "brigade",
    "sanctions",
    "grain",
    "port",
    "pipeline",
    "election",
    "ballot",
    "vaccine",
    "hospital",
    "inflation",
    "wages",
    "budget",
    "tariff",
    "refugees",
    "reservoir",
    "bridge",
    "railway",
    "satellite",
    "statement",
    "briefing",
    "parliament",
    "court",
    "treaty",
    "summit",
    "aid",
    "envoy",
    "offensive",
    "casualties",
    "shipment",
    "factory",
    "energy",
    "blackout",
    "harvest",
    "minister",
    "spokesman",
    "governor",
    "region",
    "capital",
]
RARE_WORDS = [f"zyx{index:05d}" for index in range(1000)]  # for benchmarks: one row in 1,000
PEOPLE = [
    "Anna",
    "Boris",
    "Chen",
    "Dara",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Mira",
    "Noor",
    "Olek",
]
SURNAMES = [
    "Ivanenko",
    "Park",
    "Silva",
    "Novak",
    "Haddad",
    "Berg",
    "Costa",
    "Mori",
    "Weber",
    "Lund",
    "Quinn",
    "Rossi",
    "Tanaka",
]
STATUSES = ["draft"] * 4 + ["submitted"] * 2 + ["in_review"] + ["published"] * 3
STANCES = ["supports", "contradicts", "context"]
RELIABILITY = ["reliable"] * 5 + ["no_consensus"] * 2 + ["unreliable", "deprecated", "unrated"]
BATCH = 5000
# Drawing words anew for every sentence was most of the command's own time.
SENTENCES_PER_LENGTH = 2000
LOADED = [
    Outlet,
    Source,
    Article,
    Claimant,
    Claim,
    Mention,
    Evidence,
    Claim.tags.through,
    Publication,
    ClaimEmbedding,
]


class Command(BaseCommand):
    help = "Generate N claims with articles, mentions, sources, outlets, evidence and verdicts."

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, claims: int, seed: int, **options):
        if claims < 1:
            raise CommandError("--claims must be at least 1.")
        self.random = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.sentences: dict[int, list[str]] = {}
        started, self.rows = time.perf_counter(), 0
        with transaction.atomic(), bare_tables(LOADED):
            self.generate(claims)
            loaded = time.perf_counter()
        rebuilt = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner needs to know the tables grew
        finished = time.perf_counter()
        seconds = finished - started
        self.stdout.write(
            f"Generated {claims:,} claims ({self.rows:,} rows) in {seconds:.1f} s: "
            f"{self.rows / seconds:,.0f} rows/s on {connection.vendor} (loading "
            f"{loaded - started:.1f} s, indexes and keys {rebuilt - loaded:.1f} s, "
            f"ANALYZE {finished - rebuilt:.1f} s)."
        )

    def sentence(self, length: int, rare: bool = False) -> str:
        """A sentence of `length` words; all but the rare ones come from a pool per length."""
        if rare:
            words = self.random.choices(WORDS, k=length)
            words[self.random.randrange(length)] = self.random.choice(RARE_WORDS)
            return " ".join(words).capitalize() + "."
        pool = self.sentences.get(length)
        if pool is None:
            pool = self.sentences[length] = [
                " ".join(self.random.choices(WORDS, k=length)).capitalize() + "."
                for _ in range(SENTENCES_PER_LENGTH)
            ]
        return pool[self.random.randrange(SENTENCES_PER_LENGTH)]

    def generate(self, n_claims: int) -> None:
        rnd, now = self.random, timezone.now()
        start = {model: next_id(model) for model in (Outlet, Source, Article, Claimant, Claim)}
        start |= {
            model: next_id(model)
            for model in (Mention, Evidence, Claim.tags.through, Publication, ClaimEmbedding)
        }
        ratings = list(Rating.objects.exclude(value=None).values_list("pk", flat=True))
        tag_names = {Tag.objects.get_or_create(name=f"Topic {i}")[0].pk: f"Topic {i}"
                     for i in range(50)}  # fmt: skip
        tags = list(tag_names)
        n_outlets = max(20, min(500, n_claims // 2000))
        n_sources, n_articles = max(10, n_claims // 2), max(5, n_claims // 5)
        n_claimants = max(10, n_claims // 50)
        tag = rnd.randrange(1_000_000)

        def outlet_name(pk):
            return f"Outlet {pk} {tag}"

        outlets = range(start[Outlet], start[Outlet] + n_outlets)
        reliability = {pk: rnd.choice(RELIABILITY) for pk in outlets}
        self.write(
            Outlet,
            (
                {
                    "id": pk, "name": outlet_name(pk), "domain": f"outlet{pk}-{tag}.example",
                    "reliability": reliability[pk], "notes": "", "version": 1, "updated_at": now,
                }
                for pk in outlets
            ),
        )  # fmt: skip

        def source_url(pk):
            return f"https://outlet{pk % n_outlets}.example/{tag}/story/{pk}"

        # What a published claim's evidence shows: titles come from the sentence pools, so
        # keeping them costs a reference each; URLs and outlet names are made again from ids.
        source_titles, source_dates = [], []

        def source_row(pk):
            url = source_url(pk)
            title = self.sentence(6)
            outlet = start[Outlet] + pk % n_outlets
            published_on = day(rnd, 2020)
            source_titles.append(title)
            source_dates.append(published_on)
            return {
                "id": pk, "url": url, "url_key": url_key(url), "title": title,
                "outlet_id": outlet, "author": "", "published_on": published_on,
                "type": "news", "accessed_on": None, "archive_url": "", "added_by_id": None,
                "version": 1, "created_at": now, "updated_at": now,
                "search_document": f"{title}\n{url}\n{outlet_name(outlet)}",
            }  # fmt: skip

        sources = range(start[Source], start[Source] + n_sources)
        self.write(Source, (source_row(pk) for pk in sources))

        # Articles are made of sentences; each claim is mentioned by quoting one of them.
        sentences_per_article = 12
        article_sentences, appearances = {}, {}

        def article_row(pk):
            sentences = [self.sentence(rnd.randint(8, 16)) for _ in range(sentences_per_article)]
            article_sentences[pk] = sentences
            text = " ".join(sentences)
            title = self.sentence(7)
            url, outlet = f"https://news{pk}-{tag}.example/a/{pk}", start[Outlet] + pk % n_outlets
            published_on = day(rnd, 2021)
            appearances[pk] = {"headline": title, "url": url, "publisher": outlet_name(outlet),
                               "published_on": published_on.isoformat()}  # fmt: skip
            return {
                "id": pk, "title": title, "url": url,
                "outlet_id": outlet, "authors": "",
                "published_on": published_on, "language": "en", "text": text, "html": "",
                "content_hash": text_hash(text),
                "search_document": f"{title}\n{text}", "added_by_id": None,
                "created_at": now, "updated_at": now,
            }  # fmt: skip

        articles = range(start[Article], start[Article] + n_articles)
        # Article text is needed for mention offsets, so articles go in one batch at a time.
        claimants = range(start[Claimant], start[Claimant] + n_claimants)
        claimant_names = {
            pk: f"{rnd.choice(PEOPLE)} {rnd.choice(SURNAMES)} {pk}-{tag}" for pk in claimants
        }
        self.write(
            Claimant,
            ({"id": pk, "name": name, "kind": "person", "description": ""}
             for pk, name in claimant_names.items()),
        )  # fmt: skip
        from django.contrib.auth.models import User

        # A published claim must name its reviewer; generated ones name this account.
        reviewer = User.objects.get_or_create(username="generated-reviewer")[0].pk
        mention_id, evidence_id, link_id, publication_id = (
            start[Mention],
            start[Evidence],
            start[Claim.tags.through],
            start[Publication],
        )
        claim_id, embedding_id = start[Claim], start[ClaimEmbedding]
        per_article = max(1, n_claims // n_articles)
        for article_batch in batched(articles, 200):
            self.write(Article, (article_row(pk) for pk in article_batch))
            claims, mentions, evidence, links, publications = [], [], [], [], []
            for article in article_batch:
                for _ in range(per_article):
                    if claim_id >= start[Claim] + n_claims:
                        break
                    pk, claim_id = claim_id, claim_id + 1
                    status = rnd.choice(STATUSES)
                    text = self.sentence(rnd.randint(8, 18), rare=rnd.random() < 0.01)
                    claimant = rnd.choice(claimants)
                    index = rnd.randrange(sentences_per_article)
                    quotes = [index] + ([rnd.randrange(sentences_per_article)]
                                        if rnd.random() < 0.2 else [])  # fmt: skip
                    sentences = article_sentences[article]
                    placed, shown = [], []
                    # In text order, as the mentions are read back (Mention.Meta.ordering).
                    for quote_index in sorted(set(quotes)):
                        offset = sum(len(s) + 1 for s in sentences[:quote_index])
                        quote = sentences[quote_index]
                        full = " ".join(sentences)
                        placed.append(quote)
                        shown.append({"quote": quote, **appearances[article]})
                        mentions.append({
                            "id": mention_id, "claim_id": pk, "article_id": article,
                            "start": offset, "end": offset + len(quote), "quote": quote,
                            "prefix": full[max(0, offset - 32):offset],
                            "suffix": full[offset + len(quote):offset + len(quote) + 32],
                            "orphaned": False, "version": 1, "created_by_id": None,
                            "created_at": now, "placement": "", "placement_reason": "",
                            "previous_quote": "", "candidates": "[]",
                        })  # fmt: skip
                        mention_id += 1
                    counts = dict.fromkeys(STANCES, 0)
                    cited = []
                    for source in dict.fromkeys(
                        rnd.choices(sources, k=rnd.choice((0, 1, 2, 3, 4)))
                    ):
                        stance = rnd.choices(STANCES, weights=(4, 4, 2))[0]
                        counts[stance] += 1
                        excerpt = self.sentence(10)
                        cited.append({
                            "title": source_titles[source - start[Source]],
                            "url": source_url(source),
                            "outlet": outlet_name(start[Outlet] + source % n_outlets),
                            "published_on": source_dates[source - start[Source]].isoformat(),
                            "stance": stance, "excerpt": excerpt,
                        })  # fmt: skip
                        evidence.append({
                            "id": evidence_id, "claim_id": pk, "source_id": source,
                            "stance": stance, "excerpt": excerpt, "note": "",
                            "added_by_id": None, "version": 1, "created_at": now,
                            "updated_at": now,
                        })  # fmt: skip
                        evidence_id += 1
                    topic = rnd.choice(tags)
                    links.append({"id": link_id, "claim_id": pk, "tag_id": topic})
                    link_id += 1
                    published = status == "published"
                    created = now - datetime.timedelta(minutes=n_claims - (pk - start[Claim]))
                    claimed_on = day(rnd, 2022)
                    rating = rnd.choice(ratings) if published else None
                    rationale = self.sentence(20) if published else ""
                    as_of = day(rnd, 2024) if published else None
                    if published:
                        publications.append({
                            "id": publication_id, "claim_id": pk, "number": 1, "current": True,
                            "published_at": created, "published_by_id": reviewer,
                            "first_published_on": as_of, "rating_id": rating,
                            "rationale": rationale, "verdict_as_of": as_of, "claim_text": text,
                            "claimant": claimant_names[claimant], "claimant_is_person": True,
                            "claimant_description": "", "claimed_on": claimed_on,
                            "appearances": json.dumps(shown), "evidence": json.dumps(cited),
                            "changes": "",
                        })  # fmt: skip
                        publication_id += 1
                    claims.append({
                        "id": pk, "text": text, "claimant_id": claimant,
                        "claimed_on": claimed_on, "status": status,
                        "rating_id": rating,
                        "rationale": rationale,
                        "verdict_as_of": as_of,
                        "reviewer_id": reviewer if status in ("in_review", "published") else None,
                        "version": 1, "created_by_id": None,
                        "created_at": created, "updated_at": created,
                        "submitted_at": created if status != "draft" else None,
                        "published_at": created if published else None, "reopened_at": None,
                        "mention_count": len(placed), "evidence_count": sum(counts.values()),
                        "supports_count": counts["supports"],
                        "contradicts_count": counts["contradicts"],
                        "context_count": counts["context"],
                        "search_document": search_document(
                            text=text, claimant=claimant_names[claimant],
                            tags=[tag_names[topic]], quotes=placed,
                        ),
                    })  # fmt: skip
            self.write(Claim, claims)
            self.write(ClaimEmbedding, self.embeddings(claims, first_id=embedding_id))
            embedding_id += len(claims)
            self.write(Mention, mentions)
            self.write(Evidence, evidence)
            self.write(Claim.tags.through, links)
            self.write(Publication, publications)
            appearances.clear()
        for model in LOADED:
            reset_sequence(model)

    def embeddings(self, claims, *, first_id: int) -> list[dict]:
        """The matcher's vectors of these claims; each distinct text is embedded once."""
        embedder = default_embedder()
        if not hasattr(self, "compacted"):
            self.compacted: dict[str, tuple[bytes, bytes]] = {}
        new = list(dict.fromkeys(c["text"] for c in claims if c["text"] not in self.compacted))
        self.compacted.update(zip(new, compact(embedder.embed(new)), strict=True))
        return [
            {
                "id": first_id + offset,
                "claim_id": claim["id"],
                "model": embedder.name,
                "code": self.compacted[claim["text"]][0],
                "vector": self.compacted[claim["text"]][1],
            }
            for offset, claim in enumerate(claims)
        ]

    def write(self, model, rows) -> None:
        rows = list(rows)
        if not rows:
            return
        table, columns = model._meta.db_table, list(rows[0])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                quoted = ", ".join(f'"{column}"' for column in columns)
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[column] for column in columns])
            else:
                marks = ", ".join(["%s"] * len(columns))
                quoted = ", ".join(f'"{column}"' for column in columns)
                statement = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
                for batch in batched(rows, BATCH):
                    cursor.executemany(statement, [[r[c] for c in columns] for r in batch])
        self.rows += len(rows)


@contextmanager
def bare_tables(models):
    """Load into tables stripped of all but their primary keys, then rebuild (PostgreSQL).

    Building an index once over sorted rows, and checking a foreign key with one join, is much
    faster than keeping them row by row. It all happens inside the command's transaction, so a
    failed run leaves every table as it was.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of earlier writes in this transaction forbid ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')",
            [tables],
        )
        constraints = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        # Room to sort each index, and hash each foreign-key check, in memory (this transaction).
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def day(rnd: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rnd.randrange(1000))


def next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequence(model) -> None:
    """After rows with explicit ids, new rows must not collide with them (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
