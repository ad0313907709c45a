"""Full-text search over a model's `search_document`: PostgreSQL's tsvector, or SQLite's FTS5.

Each searchable model keeps a plain-text `search_document` current on write. On PostgreSQL a
stored generated column `search_vector` (to_tsvector of the document) carries a GIN index; on
SQLite an FTS5 table mirrors the document through triggers. Queries use web-search syntax on
both: words, "quoted phrases", OR, and -excluded words. On PostgreSQL ranking looks at the first
CANDIDATES_PER_RESULT × limit matches only, so a term found in half the rows still answers fast,
and only the rows shown get a snippet, cut from a window of the text (HEADLINE_WINDOW).
"""

import re
from dataclasses import dataclass

from django.db import connection, migrations
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A document is indexed up to this many characters: PostgreSQL's tsvector holds at most 1 MB,
# which a long upload of distinct words exceeds; a quarter of a million characters of text (a
# long report) stays well inside it, and search still finds an article by its opening pages.
MAX_INDEXED_CHARACTERS = 250_000
CANDIDATE_LIMIT = 1000  # what a filter such as the admin's search box may match
# Ranking reads each candidate's vector, so it is bounded by what the page shows: ten matches
# for each result shown. At a million claims and 200,000 long articles, 500 candidates cost a
# common word's article search about 3 ms of ranking; 100 (ten results) under 1.
CANDIDATES_PER_RESULT = 10
# ts_headline parses all the text it is given: a long article's whole document costs tens of
# milliseconds per result, for a snippet of a few dozen words. It is given this many characters,
# starting a little before the first place a searched word appears as typed (else the opening:
# a stemmed form may be spelled otherwise, "policies" for "policy").
HEADLINE_WINDOW = 4000
HEADLINE_LEAD = 1000
MARK_START, MARK_END = "\x01", "\x02"  # never in user text; become <mark> after escaping
TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
WORD = re.compile(r"\w+")


def fts5_query(words: str) -> str | None:
    """Web-search syntax as an FTS5 query; None when nothing searchable is left.

    Every word is quoted, so FTS5 operators typed by the user are only ever words.
    """
    parts: list[str] = []
    pending_or = False
    for match in TOKEN.finditer(words):
        phrase, word = match.group(1), match.group(2)
        if word == "OR":
            pending_or = bool(parts)
            continue
        negated = word is not None and word.startswith("-")
        terms = WORD.findall(phrase if phrase is not None else word)
        if not terms:
            continue
        quoted = '"' + " ".join(terms) + '"'
        if negated:
            if parts:  # FTS5's NOT needs something to subtract from
                parts.append(f"NOT {quoted}")
        elif pending_or and parts:
            parts.append(f"OR {quoted}")
        else:
            parts.append(quoted)
        pending_or = False
    return " ".join(parts) or None


def snippet_html(text: str) -> SafeString:
    """A database snippet with its match markers turned into <mark>, everything else escaped."""
    return mark_safe(  # noqa: S308 - escaped just here; only our own <mark> tags are added
        escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def indexable(document: str) -> str:
    """The part of a document search indexes (see MAX_INDEXED_CHARACTERS)."""
    return document[:MAX_INDEXED_CHARACTERS]


@dataclass(frozen=True)
class Hit:
    object: object
    snippet: SafeString


def search(queryset, words: str, *, limit: int = 20) -> list[Hit]:
    """The best matches in queryset for the words, best first, each with a highlighted snippet."""
    words = words.strip()
    if not words:
        return []
    table = queryset.model._meta.db_table
    if connection.vendor == "postgresql":
        ranked = _ranked_ids_postgresql(table, words, limit)
    else:
        ranked = _ranked_ids_sqlite(table, words, limit)
    rows = queryset.in_bulk([pk for pk, _ in ranked])
    return [Hit(rows[pk], snippet_html(snippet)) for pk, snippet in ranked if pk in rows]


def matching_pks(model, words: str, *, limit: int = CANDIDATE_LIMIT) -> list[int]:
    """Up to `limit` ids of rows that match, unranked: a filter for lists such as the admin's."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id FROM {table} "  # noqa: S608 - the table name comes from a model
                "WHERE search_vector @@ websearch_to_tsquery('english', %s) LIMIT %s",
                [words, limit],
            )
        else:
            query = fts5_query(words)
            if query is None:
                return []
            cursor.execute(
                f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s LIMIT %s",  # noqa: S608
                [query, limit],
            )
        return [pk for (pk,) in cursor.fetchall()]


def first_searched_word(words: str) -> str:
    """The first word the results must contain, lower-cased: where a snippet is looked for."""
    for match in TOKEN.finditer(words):
        phrase, word = match.group(1), match.group(2)
        if word == "OR" or (word is not None and word.startswith("-")):
            continue
        if terms := WORD.findall(phrase if phrase is not None else word):
            return terms[0].lower()
    return ""


def _ranked_ids_postgresql(table: str, words: str, limit: int) -> list[tuple[int, str]]:
    query = "websearch_to_tsquery('english', %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH candidates AS (
                SELECT id, search_vector FROM {table}
                WHERE search_vector @@ {query} LIMIT %s
            ), best AS (
                SELECT id, ts_rank(search_vector, {query}) AS rank FROM candidates
                ORDER BY rank DESC, id DESC LIMIT %s
            )
            SELECT t.id, ts_headline('english',
                   substr(t.search_document,
                          greatest(strpos(lower(t.search_document), %s) - %s, 1), %s),
                   {query},
                   'StartSel=' || chr(1) || ', StopSel=' || chr(2)
                   || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter= … ')
            FROM best JOIN {table} t ON t.id = best.id
            ORDER BY best.rank DESC, best.id DESC
            """,  # noqa: S608 - table names come from models, words are parameters
            [
                words,
                CANDIDATES_PER_RESULT * limit,
                words,
                limit,
                first_searched_word(words),
                HEADLINE_LEAD,
                HEADLINE_WINDOW,
                words,
            ],
        )
        return cursor.fetchall()


def _ranked_ids_sqlite(table: str, words: str, limit: int) -> list[tuple[int, str]]:
    query = fts5_query(words)
    if query is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT rowid, snippet({table}_fts, 0, char(1), char(2), ' … ', 24)
            FROM {table}_fts WHERE {table}_fts MATCH %s
            ORDER BY rank LIMIT %s
            """,  # noqa: S608 - table names come from models, the query is a parameter
            [query, limit],
        )
        return cursor.fetchall()


def fulltext_index(table: str) -> migrations.RunPython:
    """The migration step that indexes table.search_document on whichever database runs it."""

    def create(apps, schema_editor):
        statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
        for statement in statements:
            schema_editor.execute(statement.format(table=table))

    def drop(apps, schema_editor):
        statements = (
            POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
        )
        for statement in statements:
            schema_editor.execute(statement.format(table=table))

    return migrations.RunPython(create, drop)


def fulltext_index_rebuilt_on_sqlite(table: str) -> migrations.RunPython:
    """The step to put beside one that makes SQLite rebuild the table, which drops its triggers.

    Indexes table.search_document afresh on SQLite, both ways; PostgreSQL keeps its index.
    """

    def rebuild(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in [*SQLITE_DROP, *SQLITE]:
                schema_editor.execute(statement.format(table=table))

    return migrations.RunPython(rebuild, rebuild)


POSTGRESQL = [
    "ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english', search_document)) STORED",
    "CREATE INDEX {table}_search ON {table} USING GIN (search_vector)",
]
POSTGRESQL_DROP = ["ALTER TABLE {table} DROP COLUMN search_vector"]
SQLITE = [
    "CREATE VIRTUAL TABLE {table}_fts USING fts5(search_document, content='{table}', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO {table}_fts(rowid, search_document) SELECT id, search_document FROM {table}",
    "CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN "
    "INSERT INTO {table}_fts(rowid, search_document) VALUES (new.id, new.search_document); END",
    "CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
    "INSERT INTO {table}_fts({table}_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_document ON {table} BEGIN "
    "INSERT INTO {table}_fts({table}_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO {table}_fts(rowid, search_document) VALUES (new.id, new.search_document); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS {table}_fts_insert",
    "DROP TRIGGER IF EXISTS {table}_fts_delete",
    "DROP TRIGGER IF EXISTS {table}_fts_update",
    "DROP TABLE IF EXISTS {table}_fts",
]
