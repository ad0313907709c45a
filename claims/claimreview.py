"""schema.org ClaimReview for a published verdict, as Google and the DataCommons feed read it.

Pure: it maps plain values to JSON-LD and knows nothing of Django. The fields follow Google's
ClaimReview guidelines: claimReviewed, reviewRating (alternateName always; ratingValue,
bestRating and worstRating only where the scale has numbers), url, author, datePublished (the
first verdict), dateModified (the latest update, once there is one), and itemReviewed as a Claim
with its author, date, appearances and first appearance.
"""

import datetime
import json
from dataclasses import dataclass, field

CONTEXT = "https://schema.org"


@dataclass(frozen=True)
class Appearance:
    url: str
    headline: str
    published_on: datetime.date | None = None
    publisher: str = ""


@dataclass(frozen=True)
class Verdict:
    """Everything one ClaimReview says, gathered from the claim and its mentions."""

    url: str
    claim: str
    label: str
    published_on: datetime.date
    organisation: str
    modified_on: datetime.date | None = None
    organisation_url: str = ""
    value: int | None = None
    best: int | None = None
    worst: int | None = None
    claimant: str = ""
    claimant_is_person: bool = True
    claimed_on: datetime.date | None = None
    appearances: list[Appearance] = field(default_factory=list)


def _creative_work(appearance: Appearance) -> dict:
    work = {"@type": "CreativeWork", "url": appearance.url, "headline": appearance.headline}
    if appearance.published_on:
        work["datePublished"] = appearance.published_on.isoformat()
    if appearance.publisher:
        work["publisher"] = {"@type": "Organization", "name": appearance.publisher}
    return work


def claim_review(verdict: Verdict, *, with_context: bool = True) -> dict:
    rating = {"@type": "Rating", "alternateName": verdict.label}
    if verdict.value is not None and verdict.best is not None and verdict.worst is not None:
        rating |= {
            "ratingValue": verdict.value,
            "bestRating": verdict.best,
            "worstRating": verdict.worst,
        }
    item = {"@type": "Claim"}
    if verdict.claimant:
        kind = "Person" if verdict.claimant_is_person else "Organization"
        item["author"] = {"@type": kind, "name": verdict.claimant}
    if verdict.claimed_on:
        item["datePublished"] = verdict.claimed_on.isoformat()
    # Appearances with a URL only: a pasted article without one cannot be pointed to.
    linked = [appearance for appearance in verdict.appearances if appearance.url]
    if linked:
        dated = [a for a in linked if a.published_on]
        first = min(dated, key=lambda a: a.published_on) if dated else linked[0]
        item["appearance"] = [_creative_work(a) for a in linked]
        item["firstAppearance"] = _creative_work(first)
    author = {"@type": "Organization", "name": verdict.organisation}
    if verdict.organisation_url:
        author["url"] = verdict.organisation_url
    review = {
        "@type": "ClaimReview",
        "url": verdict.url,
        "claimReviewed": verdict.claim,
        "datePublished": verdict.published_on.isoformat(),
        **({"dateModified": verdict.modified_on.isoformat()} if verdict.modified_on else {}),
        "author": author,
        "reviewRating": rating,
        "itemReviewed": item,
    }
    return {"@context": CONTEXT, **review} if with_context else review


def data_feed(reviews: list[dict], *, modified: datetime.datetime) -> dict:
    """A schema.org DataFeed of ClaimReviews, the shape the DataCommons fact-check feed uses."""
    return {
        "@context": CONTEXT,
        "@type": "DataFeed",
        "dateModified": modified.isoformat(),
        "dataFeedElement": reviews,
    }


# The characters that could end a <script> element or start a comment inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def as_script_text(data: dict) -> str:
    """JSON safe to place inside <script type="application/ld+json">, whatever the claim says."""
    return json.dumps(data, ensure_ascii=False, indent=2).translate(_SCRIPT_ESCAPES)
