"""Mentions as W3C Web Annotations (JSON-LD), and annotation files read back (no Django imports).

An exported mention is an Annotation whose target is the article (its canonical URL, or our page
of it when it has none) narrowed by a TextPositionSelector and a TextQuoteSelector, and whose
bodies are the claim: a TextualBody with its words (what any annotation client shows), a
SpecificResource naming its claim page (what tells a machine, and our import, which claim it
is), and TextualBodies classifying it by status and, once published, verdict; its tags are
tagging bodies. The motivation is "describing": the bodies say what the passage asserts.

Reading accepts one annotation, a list, an AnnotationPage, an AnnotationCollection with its
pages embedded, and Hypothesis's export or search answer ({"rows": [...]}, or a list of rows,
whose positions count UTF-16 units as a browser does). A file that is none of these is refused
whole (NotAnnotations); an annotation that cannot be taken carries its reason (Incoming.problem).
"""

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from html import unescape
from urllib.parse import urlsplit

import nh3

from lib.text import invalid_code_point, shorten

from .anchoring import (
    Anchor,
    AnchorError,
    position_from_selector,
    selectors_for,
    utf16_to_codepoints,
)

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# The media type the W3C Web Annotation Protocol gives annotations.
CONTENT_TYPE = f'application/ld+json; profile="{CONTEXT}"'
MAX_BYTES = 2 * 1024 * 1024
MAX_ANNOTATIONS = 1000
# A body longer than this is not a claim's wording (the tag form allows the same).
MAX_CLAIM_LENGTH = 5000
MAX_TAGS = 20
TAG_MAX_LENGTH = 100  # claims.Tag.name

# Our pages, recognised by their path on one of our origins.
_CLAIM_PATH = re.compile(r"^(?:/api(?:/v\d+)?)?/claims/(\d+)/?$")
_ARTICLE_PATH = re.compile(r"^/articles/(\d+)/?$")


class NotAnnotations(ValueError):
    """The file as a whole cannot be imported; the message says why. Nothing of it is taken."""


# Export.


@dataclass(frozen=True)
class ClaimView:
    """What an annotation says of a claim: its page, words, state and tags."""

    url: str
    text: str
    status: str  # as shown: "In review"
    verdict: str = ""  # the rating's label, once published
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MentionView:
    """What an annotation says of a mention: where it is, who tagged it, when."""

    url: str  # the mention's place on our site: the reader, at its mark
    source: str  # the document: the article's canonical URL, or our page of it
    anchor: Anchor
    language: str
    claim: ClaimView
    creator: str = ""  # the username of who tagged it
    created: str = ""  # ISO 8601, UTC
    modified: str = ""


def annotation(mention: MentionView, *, context: bool = True) -> dict:
    """One mention as a W3C Annotation; without @context when it sits inside a collection."""
    claim = mention.claim
    bodies = [
        {
            "type": "TextualBody",
            "purpose": "describing",
            "value": claim.text,
            "format": "text/plain",
            "language": mention.language,
        },
        {"type": "SpecificResource", "purpose": "identifying", "source": claim.url},
        {"type": "TextualBody", "purpose": "classifying", "value": f"Status: {claim.status}"},
    ]
    if claim.verdict:
        bodies.append(
            {"type": "TextualBody", "purpose": "classifying", "value": f"Verdict: {claim.verdict}"}
        )
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in claim.tags]
    result = {"@context": CONTEXT} if context else {}
    result |= {
        "id": mention.url,
        "type": "Annotation",
        "motivation": "describing",
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": mention.source,
            "selector": selectors_for(mention.anchor),
        },
    }
    if mention.creator:
        result["creator"] = {"type": "Person", "nickname": mention.creator}
    if mention.created:
        result["created"] = mention.created
    if mention.modified:
        result["modified"] = mention.modified
    return result


def collection(*, id: str, label: str, mentions: Iterable[MentionView]) -> dict:
    """An AnnotationCollection holding every mention on its one embedded AnnotationPage."""
    items = [annotation(mention, context=False) for mention in mentions]
    result = {
        "@context": CONTEXT,
        "id": id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
    }
    if items:  # an empty collection has no pages
        result["first"] = {
            "id": f"{id}#page1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        }
    return result


# Import.


@dataclass(frozen=True)
class Incoming:
    """One annotation of a file, read: where it points, and what it says of which claim."""

    label: str  # how the report names it: its id, or its place in the file
    selectors: list[dict] = field(default_factory=list)
    utf16: bool = False  # positions count UTF-16 units (Hypothesis), not code points
    source: str = ""  # the document it names, if any
    article_id: int | None = None  # when that document is one of our article pages
    text: str = ""  # the claim's words
    claim_id: int | None = None  # when a body names one of our claims
    tags: tuple[str, ...] = ()
    author: str = ""  # who made it, and when, as the file says: kept in the history
    made: str = ""
    problem: str = ""  # why it cannot be taken, whatever the article

    @property
    def quote(self) -> str:
        for selector in self.selectors:
            if selector.get("type") == "TextQuoteSelector" and isinstance(
                selector.get("exact"), str
            ):
                return selector["exact"]
        return ""


def read_annotations(data: bytes | str, *, our_origins: Iterable[str] = ()) -> list[Incoming]:
    """The annotations of a file, each read or with its problem; NotAnnotations for the file.

    our_origins ("https://desk.example") are where a claim page or article page named in the
    file is one of ours.
    """
    if len(data) > MAX_BYTES:
        raise NotAnnotations(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Nothing was imported: "
            "split it into smaller files."
        )
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        document = json.loads(text)
    except UnicodeDecodeError:
        raise NotAnnotations("The file is not UTF-8 text. Nothing was imported.") from None
    except (ValueError, RecursionError) as error:
        raise NotAnnotations(f"The file is not JSON ({error}). Nothing was imported.") from None
    items = _items(document)
    if len(items) > MAX_ANNOTATIONS:
        raise NotAnnotations(
            f"The file holds {len(items)} annotations; at most {MAX_ANNOTATIONS} are imported "
            "at once. Nothing was imported: split it into smaller files."
        )
    origins = {_origin(origin) for origin in our_origins}
    records = [_read(item, number, origins) for number, item in enumerate(items, start=1)]
    if all(record.problem == _NOT_AN_ANNOTATION for record in records):
        raise NotAnnotations(
            "The file holds no annotation: expected a W3C Web Annotation (type “Annotation”), "
            "a list of them, an AnnotationPage or AnnotationCollection, or a Hypothesis export "
            "({“rows”: […]}). Nothing was imported."
        )
    return records


_NOT_AN_ANNOTATION = (
    "It is not an annotation: neither a W3C Annotation (type “Annotation”) nor a Hypothesis row."
)


def _types(node: object) -> set:
    if not isinstance(node, dict):
        return set()
    kind = node.get("type", node.get("@type"))
    return {t for t in (kind if isinstance(kind, list) else [kind]) if isinstance(t, str)}


def _items(document: object) -> list:
    """The annotations of a file's top level, in order."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise NotAnnotations(
            "The file holds no annotation, only a single JSON value. Nothing was imported."
        )
    if isinstance(document.get("rows"), list):  # Hypothesis: an export, or a search answer
        return document["rows"]
    kinds = _types(document)
    if "AnnotationCollection" in kinds:
        if document.get("total") == 0 and "first" not in document:
            return []
        return _pages(document.get("first"))
    if "AnnotationPage" in kinds:
        return _pages(document)
    return [document]


def _pages(page: object) -> list:
    """The items of an embedded page and of the embedded pages after it."""
    items, seen = [], 0
    while page is not None:
        if not isinstance(page, dict) or "AnnotationPage" not in _types(page):
            raise NotAnnotations(
                "The collection's annotations are on pages not in the file "
                f"({_clip(str(page))}). Nothing was imported: export the pages themselves."
            )
        if not isinstance(page.get("items"), list):
            raise NotAnnotations("An AnnotationPage in the file has no list of items.")
        items += page["items"]
        seen += 1
        if seen > MAX_ANNOTATIONS:
            raise NotAnnotations("The file holds too many pages of annotations.")
        page = page.get("next")
    return items


def _read(item: object, number: int, origins: set[str]) -> Incoming:
    label = f"Annotation {number}"
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip():
        label += f" ({_clip(item['id'].strip(), 100)})"
    w3c = "Annotation" in _types(item)
    hypothesis = not w3c and isinstance(item, dict) and isinstance(item.get("target"), list)
    if not (w3c or hypothesis):
        return Incoming(label, problem=_NOT_AN_ANNOTATION)
    try:
        if w3c:
            return _read_w3c(item, label, origins)
        return _read_hypothesis(item, label, origins)
    except AnchorError as error:
        return Incoming(label, problem=str(error))


def _read_w3c(item: dict, label: str, origins: set[str]) -> Incoming:
    source, selectors = _target(item.get("target"))
    texts, tags, named = [], [], []
    bodies = item.get("body", [])
    if "bodyValue" in item:
        bodies = [{"type": "TextualBody", "value": item["bodyValue"]}]
    for body in bodies if isinstance(bodies, list) else [bodies]:
        _read_body(body, texts, tags, named)
    claim_id = _claim_named(named, origins)
    record = _incoming(label, source, selectors, False, texts, tags, claim_id, origins)
    return _made_by(record, _agent(item.get("creator")), item.get("created"))


def _read_hypothesis(item: dict, label: str, origins: set[str]) -> Incoming:
    source, selectors = _target(item["target"])
    source = source or (item["uri"] if isinstance(item.get("uri"), str) else "")
    texts = [item["text"]] if isinstance(item.get("text"), str) else []
    tags = [tag for tag in item.get("tags") or [] if isinstance(tag, str)]
    record = _incoming(label, source, selectors, True, texts, tags, None, origins)
    return _made_by(record, item.get("user"), item.get("created"))


def _agent(creator: object) -> object:
    """A W3C creator's name: its nickname, name or IRI."""
    if isinstance(creator, dict):
        return creator.get("nickname") or creator.get("name") or creator.get("id")
    return creator


def _made_by(record: Incoming, author: object, made: object) -> Incoming:
    def clean(value: object) -> str:
        return shorten(" ".join(value.split()), 200) if isinstance(value, str) else ""

    return replace(record, author=clean(author), made=clean(made))


def _incoming(label, source, selectors, utf16, texts, tags, claim_id, origins) -> Incoming:
    text = " ".join(" ".join(texts).split())
    problem = ""
    if not text and claim_id is None:
        problem = "It says nothing of the passage: no text to make the claim from, and no claim."
    elif len(text) > MAX_CLAIM_LENGTH:
        problem = f"Its text is longer than {MAX_CLAIM_LENGTH} characters: not a claim's wording."
    elif unstorable := invalid_code_point(text):
        problem = f"Its text cannot be stored: {unstorable}"
    names = (" ".join(tag.split()) for tag in tags if not invalid_code_point(tag))
    return Incoming(
        label,
        selectors=selectors,
        utf16=utf16,
        source=source,
        article_id=_ours(source, _ARTICLE_PATH, origins),
        text=text,
        claim_id=claim_id,
        tags=tuple(dict.fromkeys(shorten(name, TAG_MAX_LENGTH) for name in names if name))[
            :MAX_TAGS
        ],
        problem=problem,
    )


def _read_body(body: object, texts: list, tags: list, named: list) -> None:
    """Sort one body into the claim's words, its tags, or a resource that may name a claim."""
    if isinstance(body, str):
        named.append(body)
        return
    if not isinstance(body, dict):
        return
    kinds, purpose = _types(body), body.get("purpose")
    if "Choice" in kinds:  # the first item is the default choice
        choices = body.get("items")
        if isinstance(choices, list) and choices:
            _read_body(choices[0], texts, tags, named)
        return
    if "value" in body and isinstance(body["value"], str):
        value = body["value"]
        if "html" in str(body.get("format", "")):
            value = unescape(nh3.clean(value, tags=set()))
        if purpose == "tagging":
            tags.append(value)
        elif purpose not in ("classifying", "moderating", "assessing"):
            texts.append(value)
        return
    for key in ("source", "id"):
        reference = body.get(key)
        if isinstance(reference, dict):
            reference = reference.get("id")
        if isinstance(reference, str):
            named.append(reference)


def _target(target: object) -> tuple[str, list[dict]]:
    """The document a target names and its text selectors (of several targets, the first that
    selects a part: Hypothesis's rule too)."""
    targets = target if isinstance(target, list) else [target]
    if not targets or target is None:
        raise AnchorError("It has no target.")
    for one in targets:
        if isinstance(one, dict) and "selector" in one:
            source = one.get("source")
            if isinstance(source, dict):
                source = source.get("id")
            return (source if isinstance(source, str) else ""), _text_selectors(one["selector"])
    raise AnchorError("Its target is a whole document, not a passage in it (no selector).")


def _text_selectors(selector: object, refining: bool = False) -> list[dict]:
    """The TextQuote and TextPosition selectors, refinements included.

    A position that refines another selector counts within that part (a paragraph), not in the
    whole text: it is left out; a quote is the same words wherever it is counted from.
    """
    found = []
    for one in selector if isinstance(selector, list) else [selector]:
        if not isinstance(one, dict):
            continue
        kind = one.get("type")
        if kind == "TextQuoteSelector" or (kind == "TextPositionSelector" and not refining):
            found.append(one)
        if "refinedBy" in one:
            found += _text_selectors(one["refinedBy"], refining=True)
    return found


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _ours(url: str, path: re.Pattern, origins: set[str]) -> int | None:
    """The pk in a URL of one of our pages of this kind, or None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if _origin(url.strip()) not in origins or not (match := path.match(parts.path)):
        return None
    return int(match[1]) if len(match[1]) <= 18 else None


def _claim_named(references: list[str], origins: set[str]) -> int | None:
    for reference in references:
        if (pk := _ours(reference, _CLAIM_PATH, origins)) is not None:
            return pk
    return None


def _clip(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def in_code_points(text: str, selectors: list[dict]) -> Iterator[dict]:
    """The selectors with browser (UTF-16) positions counted in code points; a position that
    does not fit the text is left out (a stale position: the quote still counts)."""
    for selector in selectors:
        if selector.get("type") != "TextPositionSelector":
            yield selector
            continue
        position = position_from_selector(selector)
        try:
            start = utf16_to_codepoints(text, position.start)
            end = utf16_to_codepoints(text, position.end)
        except AnchorError:
            continue
        yield {**selector, "start": start, "end": end}
