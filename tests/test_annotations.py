"""Mentions as W3C Web Annotations: the JSON-LD export, and the import of such files and of
Hypothesis exports, anchored by the same rules as the rest of the tracker (issue 16)."""

import copy
import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from articles.models import Article
from claims import actions, annotations
from claims.anchoring import selectors_for
from claims.annotations import NotAnnotations, read_annotations
from claims.models import Claim, Mention
from tests.conftest import make_user
from tests.factories.articles import ArticleFactory
from tests.factories.claims import ClaimFactory, MentionFactory, publish
from tests.test_annotation_data import page_text

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"  # the test client's address: claim pages there are ours
ELSEWHERE = "https://elsewhere.example"  # another desk's address
W3C_MOTIVATIONS = {
    "assessing",
    "bookmarking",
    "classifying",
    "commenting",
    "describing",
    "editing",
    "highlighting",
    "identifying",
    "linking",
    "moderating",
    "questioning",
    "replying",
    "tagging",
}
W3C_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def demo(db):
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=StringIO())
    return Article.objects.get()


def export(client, article) -> dict:
    response = client.get(reverse("reader:annotations", args=[article.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def items(document: dict) -> list[dict]:
    return document["first"]["items"] if document["total"] else []


def upload(client, article, document, name="annotations.jsonld"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(
        reverse("reader:annotations_import", args=[article.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="application/ld+json")},
    )


def import_file(article, document, by, *, our_origins=(ORIGIN,)) -> actions.AnnotationImport:
    records = read_annotations(json.dumps(document), our_origins=our_origins)
    return actions.import_annotations(article, records, by=by)


def pointed_at(document: dict, url: str) -> dict:
    """The same annotations, said to be about the document at url."""
    moved = copy.deepcopy(document)
    for item in items(moved):
        item["target"]["source"] = url
    return moved


def spans(article) -> list[tuple[int, int, str, str]]:
    return sorted(
        Mention.objects.filter(article=article).values_list("start", "end", "quote", "claim__text")
    )


def counts(report) -> tuple[int, int, int, int]:
    return (
        len(report.placed),
        len(report.already_present),
        len(report.not_placed),
        len(report.refused),
    )


# Export.


def test_the_export_is_the_articles_placed_mentions_as_a_w3c_collection(demo, login, reviewer):
    client = login(reviewer)
    response = client.get(reverse("reader:annotations", args=[demo.pk]))
    assert response["Content-Type"] == annotations.CONTENT_TYPE
    document = json.loads(response.content)
    mentions = Mention.objects.filter(article=demo).select_related("claim")
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    assert document["id"] == f"{ORIGIN}/articles/{demo.pk}/annotations.jsonld"
    assert document["total"] == len(items(document)) == mentions.count() >= 6
    assert document["first"]["type"] == "AnnotationPage"
    by_id = {item["id"]: item for item in items(document)}
    for mention in mentions:
        item = by_id[f"{ORIGIN}/articles/{demo.pk}/#mention-{mention.pk}"]
        assert item["type"] == "Annotation" and "@context" not in item
        assert item["motivation"] == "describing"
        # The demo article has no canonical URL: our page of it is the document.
        assert item["target"] == {
            "type": "SpecificResource",
            "source": f"{ORIGIN}/articles/{demo.pk}/",
            "selector": selectors_for(mention.anchor),
        }
        describing, identifying, *classifying = item["body"]
        assert describing["value"] == mention.claim.text
        assert describing["purpose"] == "describing"
        assert identifying == {
            "type": "SpecificResource",
            "purpose": "identifying",
            "source": f"{ORIGIN}/claims/{mention.claim_id}/",
        }
        assert f"Status: {mention.claim.get_status_display()}" in [b["value"] for b in classifying]
        assert item["creator"] == {"type": "Person", "nickname": "researcher"}
        assert W3C_TIMESTAMP.match(item["created"]) and W3C_TIMESTAMP.match(item["modified"])
    published = mentions.filter(claim__status="published").first()
    bodies = by_id[f"{ORIGIN}/articles/{demo.pk}/#mention-{published.pk}"]["body"]
    verdict = f"Verdict: {published.claim.rating.label}"
    assert {"type": "TextualBody", "purpose": "classifying", "value": verdict} in bodies
    draft = mentions.filter(claim__status="draft").first()
    bodies = by_id[f"{ORIGIN}/articles/{demo.pk}/#mention-{draft.pk}"]["body"]
    assert not [b for b in bodies if b["value" if "value" in b else "source"].startswith("Verdict")]


def test_an_article_with_a_canonical_url_is_the_target_by_that_url(login, reviewer):
    mention = MentionFactory(article=ArticleFactory(url="https://paper.example/story"))
    [item] = items(export(login(reviewer), mention.article))
    assert item["target"]["source"] == "https://paper.example/story"


def test_an_article_with_no_mentions_is_an_empty_collection(login, reviewer):
    document = export(login(reviewer), ArticleFactory())
    assert document["total"] == 0 and "first" not in document


def test_orphaned_and_held_mentions_are_not_exported(login, reviewer):
    placed = MentionFactory()
    MentionFactory(article=placed.article, start=30, orphaned=True)
    MentionFactory(article=placed.article, start=40, placement="confirm")
    [item] = items(export(login(reviewer), placed.article))
    assert item["id"].endswith(f"#mention-{placed.pk}")


def test_a_claims_export_holds_its_mentions_in_every_article(login, reviewer):
    claim = ClaimFactory()
    first, second = MentionFactory(claim=claim), MentionFactory(claim=claim)
    response = login(reviewer).get(reverse("claims:annotations", args=[claim.pk]))
    document = json.loads(response.content)
    sources = {item["target"]["source"] for item in items(document)}
    assert sources == {first.article.url, second.article.url}


@pytest.mark.parametrize("mentions", [1, 50])
def test_the_export_costs_the_same_queries_for_1_and_50_mentions(
    mentions, login, reviewer, django_assert_num_queries
):
    article = ArticleFactory(text="A sentence that is long enough to hold fifty mentions. " * 5)
    for n in range(mentions):
        claim = ClaimFactory()
        claim.tags.create(name=f"tag {n}")
        MentionFactory(claim=claim, article=article, start=n, length=10)
    client = login(reviewer)
    # Session, the user with their rights; the article; the mentions with their claims; tags;
    # history.
    with django_assert_num_queries(6):
        response = client.get(reverse("reader:annotations", args=[article.pk]))
    assert json.loads(response.content)["total"] == mentions


def test_the_reader_and_the_claim_page_link_to_the_exports(demo, login, researcher):
    client = login(researcher)
    page = client.get(demo.get_absolute_url()).content.decode()
    assert reverse("reader:annotations", args=[demo.pk]) in page
    assert reverse("reader:annotations_import", args=[demo.pk]) in page
    claim = Claim.objects.filter(mentions__article=demo).first()
    assert (
        reverse("claims:annotations", args=[claim.pk])
        in client.get(claim.get_absolute_url()).content.decode()
    )


# The shape, checked by hand against the W3C samples: pyld is installed, but expanding needs
# the context at http://www.w3.org/ns/anno.jsonld, which the tests may not fetch and the
# repository does not keep, so every key and type we write is checked against those the W3C's
# valid samples use in the same place.


def w3c_vocabulary(shared_data) -> dict[str, set[str]]:
    """The keys the valid W3C samples use on each kind of object, and the types they name."""
    found = {name: set() for name in ("collection", "page", "annotation", "body", "target")}
    found |= {"selector": set(), "creator": set(), "types": set()}

    def visit(node, role):
        if isinstance(node, list):
            for item in node:
                visit(item, role)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if isinstance(kind, str):
            found["types"].add(kind)
        if kind == "AnnotationCollection":
            role = "collection"
        elif kind == "AnnotationPage":
            role = "page"
        elif kind == "Annotation":
            role = "annotation"
        found[role].update(node)
        for key, value in node.items():
            child = {
                "body": "body",
                "target": "target",
                "selector": "selector",
                "refinedBy": "selector",
                "creator": "creator",
                "first": "page",
                "items": "annotation" if role == "page" else "body",
            }.get(key)
            if child:
                visit(value, child)

    for path in (shared_data / "annotation/w3c-samples/correct").glob("*.json"):
        visit(json.loads(path.read_text()), "annotation")
    return found


def test_every_key_and_type_exported_is_one_the_w3c_samples_use_in_that_place(
    shared_data, demo, login, reviewer
):
    vocabulary = w3c_vocabulary(shared_data)
    document = export(login(reviewer), demo)
    assert set(document) <= vocabulary["collection"]
    assert set(document["first"]) <= vocabulary["page"]
    for item in items(document):
        assert set(item) <= vocabulary["annotation"]
        assert item["motivation"] in W3C_MOTIVATIONS
        for body in item["body"]:
            assert set(body) <= vocabulary["body"]
            assert body["purpose"] in W3C_MOTIVATIONS
            assert body["type"] in vocabulary["types"]
        assert set(item["target"]) <= vocabulary["target"]
        assert item["target"]["type"] in vocabulary["types"]
        for selector in item["target"]["selector"]:
            assert set(selector) <= vocabulary["selector"]
            assert selector["type"] in vocabulary["types"]
        assert set(item["creator"]) <= vocabulary["creator"]


# The round trip.


def test_the_demo_round_trips_into_a_copy_at_another_desk(demo, login, reviewer, researcher):
    document = export(login(reviewer), demo)
    copy_ = ArticleFactory(text=demo.text, url="https://elsewhere.example/story")
    # Imported where our claim pages are not known: each annotation becomes a claim of its words.
    report = import_file(
        copy_, pointed_at(document, copy_.url), researcher, our_origins=[ELSEWHERE]
    )
    assert counts(report) == (document["total"], 0, 0, 0)
    assert spans(copy_) == spans(demo)
    new_claims = Claim.objects.filter(mentions__article=copy_)
    assert set(new_claims.values_list("status", flat=True)) == {"draft"}
    assert set(new_claims.values_list("created_by__username", flat=True)) == {"rosa"}
    # Twice is once.
    again = import_file(copy_, pointed_at(document, copy_.url), researcher, our_origins=[ELSEWHERE])
    assert counts(again) == (0, document["total"], 0, 0)
    assert spans(copy_) == spans(demo)


def test_an_edited_copy_gets_the_mentions_moved_by_their_quotes(demo, login, reviewer, researcher):
    document = export(login(reviewer), demo)
    edited = "Editor's note: this story was updated.\n\n" + demo.text
    copy_ = ArticleFactory(text=edited, url="https://elsewhere.example/edited")
    report = import_file(
        copy_, pointed_at(document, copy_.url), researcher, our_origins=[ELSEWHERE]
    )
    assert counts(report) == (document["total"], 0, 0, 0)
    shift = len(edited) - len(demo.text)
    assert spans(copy_) == [(s + shift, e + shift, q, t) for s, e, q, t in spans(demo)]


def test_a_text_without_the_quotes_places_nothing_and_stores_nothing(
    demo, login, reviewer, researcher
):
    document = export(login(reviewer), demo)
    other = ArticleFactory(url="https://elsewhere.example/other")
    before = (Claim.objects.count(), Mention.objects.count())
    report = import_file(other, pointed_at(document, other.url), researcher)
    assert counts(report) == (0, 0, document["total"], 0)
    assert all("is not in the text" in line for line in report.not_placed)
    assert (Claim.objects.count(), Mention.objects.count()) == before


def test_annotations_of_another_document_are_refused(demo, login, reviewer, researcher):
    document = export(login(reviewer), demo)
    copy_ = ArticleFactory(text=demo.text, url="https://elsewhere.example/story")
    response = upload(login(researcher), copy_, document)
    assert response.status_code == 200
    report = response.context["report"]
    assert counts(report) == (0, 0, 0, document["total"])
    assert all("annotates another document" in line for line in report.refused)
    assert not Mention.objects.filter(article=copy_).exists()


def test_on_the_same_desk_each_mention_joins_the_claim_it_names(demo, login, reviewer, researcher):
    document = export(login(reviewer), demo)
    copy_ = ArticleFactory(text=demo.text, url="https://paper.example/copy")
    response = upload(login(researcher), copy_, pointed_at(document, copy_.url))
    report = response.context["report"]
    mentions = Mention.objects.filter(article=demo).select_related("claim")
    published = [m for m in mentions if m.claim.is_published]
    assert published, "the demo has a published claim"
    assert counts(report) == (len(mentions) - len(published), 0, 0, len(published))
    assert all("published" in line for line in report.refused)
    assert set(Mention.objects.filter(article=copy_).values_list("claim_id", flat=True)) == {
        m.claim_id for m in mentions if not m.claim.is_published
    }
    assert Claim.objects.count() == len({m.claim_id for m in mentions})  # no new claim
    # The history says who imported it, and that it was imported.
    record = Mention.history.filter(article_id=copy_.pk).latest("history_date")
    assert record.history_user == researcher
    assert record.history_change_reason.startswith("imported a mention in")
    assert "Placed: " in response.content.decode()


def test_the_import_is_one_transaction(demo, login, reviewer, researcher, monkeypatch):
    document = export(login(reviewer), demo)
    copy_ = ArticleFactory(text=demo.text, url="https://elsewhere.example/story")
    calls = []
    real = actions.tag_claim

    def failing_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "tag_claim", failing_third)
    before = (Claim.objects.count(), Mention.objects.count())
    with pytest.raises(RuntimeError):
        import_file(copy_, pointed_at(document, copy_.url), researcher, our_origins=[ELSEWHERE])
    assert (Claim.objects.count(), Mention.objects.count()) == before


# Reading files.


def annotation_of(quote: str, *, body=None, source="", **selector) -> dict:
    target = {"selector": [{"type": "TextQuoteSelector", "exact": quote, **selector}]}
    if source:
        target["source"] = source
    return {
        "@context": annotations.CONTEXT,
        "type": "Annotation",
        "body": body or {"type": "TextualBody", "value": "The minister said it fell."},
        "target": target,
    }


def test_every_shape_of_file_is_read(researcher):
    one = annotation_of("unemployment fell")
    shapes = [
        one,
        [one, one],
        {"type": "AnnotationPage", "items": [one]},
        {
            "type": "AnnotationCollection",
            "total": 1,
            "first": {"type": "AnnotationPage", "items": [one]},
        },
        {
            "rows": [
                {"uri": "", "text": "Fell.", "target": [{"selector": one["target"]["selector"]}]}
            ]
        },
    ]
    for shape in shapes:
        records = read_annotations(json.dumps(shape))
        assert records and all(record.quote == "unemployment fell" for record in records)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b"42", "only a single JSON value"),
        (b'{"hello": "world"}', "holds no annotation"),
        (b"[]", "holds no annotation"),
        (
            json.dumps({"type": "AnnotationCollection", "first": "http://x.example/p1"}).encode(),
            "pages not in the file",
        ),
        (json.dumps([annotation_of("a")] * 1001).encode(), "at most 1000"),
        (b" " * (annotations.MAX_BYTES + 1), "larger than 2 MB"),
    ],
)
def test_a_file_that_is_not_annotations_is_refused_whole(data, message):
    with pytest.raises(NotAnnotations, match=message):
        read_annotations(data)


def test_a_refused_file_stores_nothing_and_says_why_on_the_page(login, researcher):
    article = ArticleFactory()
    response = upload(login(researcher), article, b"{not json")
    assert response.status_code == 400
    assert "is not JSON" in response.content.decode()
    big = b" " * (annotations.MAX_BYTES + 1)
    response = upload(login(researcher), article, big)
    assert response.status_code == 400 and "the limit is 2 MB" in response.content.decode()
    assert not Mention.objects.exists()


def test_a_quote_not_certainly_placed_is_not_guessed(researcher):
    article = ArticleFactory(text="It fell. Then it fell again. It fell.")
    report = import_file(article, annotation_of("It fell"), researcher)
    assert counts(report) == (0, 0, 1, 0)
    assert "occurs 2 times" in report.not_placed[0]
    # Its context tells the two apart.
    told = import_file(article, annotation_of("It fell", prefix="again. "), researcher)
    assert counts(told) == (1, 0, 0, 0)
    assert Mention.objects.get().start == article.text.rindex("It fell")


def test_a_position_alone_is_not_trusted(researcher):
    article = ArticleFactory()
    positioned = annotation_of("x")
    positioned["target"]["selector"] = [{"type": "TextPositionSelector", "start": 4, "end": 12}]
    report = import_file(article, positioned, researcher)
    assert "no quote" in report.not_placed[0]


def test_a_body_naming_a_claim_adds_a_mention_to_it_and_a_merged_one_to_its_survivor(
    researcher,
):
    article = ArticleFactory()
    survivor = ClaimFactory()
    merged = ClaimFactory(merged_into=survivor, merged_at=survivor.created_at)
    body = {"type": "SpecificResource", "source": f"{ORIGIN}/claims/{merged.pk}/"}
    report = import_file(article, annotation_of("unemployment fell", body=body), researcher)
    assert counts(report) == (1, 0, 0, 0)
    assert Mention.objects.get().claim == survivor
    missing = {"type": "SpecificResource", "source": f"{ORIGIN}/claims/999999/"}
    report = import_file(article, annotation_of("Critics say", body=missing), researcher)
    assert "claim #999999, not here" in report.refused[0]


def test_tags_become_the_new_claims_tags_and_unstorable_text_is_refused(researcher):
    article = ArticleFactory()
    tagged = annotation_of(
        "unemployment fell",
        body=[
            {"type": "TextualBody", "value": "Unemployment fell last year."},
            {"type": "TextualBody", "purpose": "tagging", "value": "economy"},
        ],
    )
    nul = annotation_of("Critics say", body={"type": "TextualBody", "value": "Bad\u0000text"})
    report = import_file(article, [tagged, nul], researcher)
    assert counts(report) == (1, 0, 0, 1)
    assert [t.name for t in Claim.objects.get().tags.all()] == ["economy"]
    assert "cannot be stored" in report.refused[0]


def test_someone_without_the_right_to_tag_may_not_import(source_admin):
    with pytest.raises(actions.NoRight):
        import_file(ArticleFactory(), annotation_of("unemployment fell"), source_admin)


# Real data: Hypothesis's anchoring baselines and the W3C samples.


def hypothesis_article(shared_data, name, url="", edit=lambda text: text) -> tuple:
    folder = shared_data / "annotation/hypothesis-baselines"
    text = edit(page_text((folder / f"{name}.html").read_text()))
    article = ArticleFactory(text=text, url=url)
    return article, (folder / f"{name}.json").read_bytes()


WIKIPEDIA = "https://en.wikipedia.org/wiki/Regression_testing"


def test_the_wikipedia_baseline_is_placed_whole_the_stale_footer_by_its_quote(
    shared_data, login, researcher
):
    article, data = hypothesis_article(shared_data, "wikipedia-regression-testing", WIKIPEDIA)
    client = login(researcher)
    report = upload(client, article, data, "wikipedia.json").context["report"]
    assert counts(report) == (5, 0, 0, 0)
    rows = {row["text"]: row for row in json.loads(data)["rows"]}
    placed = {m.claim.text: m for m in Mention.objects.select_related("claim")}
    assert set(placed) == {"Heading", "Introduction", "Quote", "Body", "Footer"}
    for label, mention in placed.items():
        [_, position, quote] = rows[label]["target"][0]["selector"]
        assert mention.quote == quote["exact"]
        # The page has no character beyond the BMP: UTF-16 offsets are code points here.
        assert mention.start == position["start"] - (156 if label == "Footer" else 0)
    # The history keeps who imported it, and who made the annotation and when.
    record = Mention.history.filter(quote="11 November 2016").get()
    assert record.history_user == researcher
    assert record.history_change_reason == (
        f"imported a mention in “{article}” from “wikipedia.json” "
        "(annotated by acct:mark@localhost, 2016-12-16T11:24:14.673557+00:00)"
    )
    claim = Claim.history.filter(text="Footer").get()
    assert claim.history_change_reason.startswith("created the claim: imported a mention in")
    # Twice is once.
    again = upload(client, article, data, "wikipedia.json").context["report"]
    assert counts(again) == (0, 5, 0, 0)
    assert Mention.objects.count() == 5


def test_a_wikipedia_quote_missing_from_the_text_is_not_placed(shared_data, researcher):
    article, data = hypothesis_article(
        shared_data,
        "wikipedia-regression-testing",
        WIKIPEDIA,
        edit=lambda text: text.replace("11 November 2016", "12 November 2016"),
    )
    report = actions.import_annotations(article, read_annotations(data), by=researcher)
    assert counts(report) == (4, 0, 1, 0)
    assert "“11 November 2016” is not in the text" in report.not_placed[0]


def test_the_minimal_baseline_has_no_words_for_a_claim(shared_data, researcher):
    article, data = hypothesis_article(shared_data, "minimal")
    assert article.text == "One Two Three\n"
    report = actions.import_annotations(article, read_annotations(data), by=researcher)
    assert counts(report) == (0, 0, 0, 1)
    assert "no text to make the claim from" in report.refused[0]
    # Given words, it lands where its selectors say.
    rows = json.loads(data)
    rows["rows"][0]["text"] = "Two is between one and three."
    report = actions.import_annotations(article, read_annotations(json.dumps(rows)), by=researcher)
    assert counts(report) == (1, 0, 0, 0)
    assert Mention.objects.values_list("start", "end").get() == (4, 7)


SAMPLE_TEXT = (
    "An anotation here; this is an anotation that has some context. "
    "Here is the text before the Selected Text and text after it."
)


def w3c_sample(shared_data, folder: str, name: str) -> bytes:
    return (shared_data / "annotation/w3c-samples" / folder / name).read_bytes()


def test_the_valid_w3c_samples_are_read_and_each_is_placed_or_refused_with_a_reason(
    shared_data, researcher
):
    article = ArticleFactory(text=SAMPLE_TEXT, url="http://example.org/page1")
    claim = ClaimFactory()
    folder = shared_data / "annotation/w3c-samples/correct"
    outcomes = {}
    for path in sorted(folder.glob("*.json")):
        # Their bodies are links to comments elsewhere: there are no words for a claim. Where
        # they quote, their bodies name one of our claims instead, and the quotes are placed in
        # a text we control.
        sample = json.loads(path.read_text())
        page = sample.get("first") if isinstance(sample.get("first"), dict) else {}
        for annotation in [sample, *page.get("items", [])]:
            if "TextQuoteSelector" in json.dumps(annotation.get("target")):
                annotation["body"] = f"{ORIGIN}/claims/{claim.pk}/"
        try:
            records = read_annotations(json.dumps(sample), our_origins=[ORIGIN])
        except NotAnnotations as refused:
            outcomes[path.name] = str(refused)
            continue
        for record in records:
            report = actions.import_annotations(article, [record], by=researcher)
            outcomes[f"{path.name} {record.label}"] = counts(report)
    # example41 and example43 are collections whose pages live elsewhere; example42 a page of
    # links to annotations.
    assert "pages not in the file" in outcomes["example41.json"]
    # anno26 and anno32 quote this text; collection1 repeats them (already present by then).
    placed = {name for name, outcome in outcomes.items() if outcome == (1, 0, 0, 0)}
    assert placed == {
        "anno26.json Annotation 1 (http://example.org/anno26)",
        "anno32.json Annotation 1 (http://example.org/anno32)",
    }
    assert Mention.objects.filter(claim=claim).count() == 2
    anotation = Mention.objects.get(quote="anotation")
    assert anotation.start == SAMPLE_TEXT.rindex("anotation")


def test_the_invalid_w3c_samples_are_refused_through_the_page_never_a_500(
    shared_data, login, researcher
):
    article = ArticleFactory(text=SAMPLE_TEXT, url="http://example.org/page1")
    client = login(researcher)
    statuses = {}
    for path in sorted((shared_data / "annotation/w3c-samples/incorrect").glob("*.json")):
        response = upload(client, article, path.read_bytes(), path.name)
        statuses[path.name] = response.status_code
        if response.status_code == 200:
            report = response.context["report"]
            assert not report.placed and all(": " in line for line in report.refused)
    assert set(statuses.values()) <= {200, 400}
    # Refused whole: 17 are not JSON, anno2 is an empty object, anno8 has no type and anno9
    # the type "Squirrel". Each of the others is refused for its target or its body.
    refused_whole = [name for name, status in statuses.items() if status == 400]
    assert len(refused_whole) == 20
    assert {"anno2.json", "anno8.json", "anno9.json"} <= set(refused_whole)
    assert not Mention.objects.exists()


def test_a_published_claim_refuses_new_mentions_as_elsewhere(researcher):
    article = ArticleFactory()
    author = make_user("author", "Researcher")
    claim = publish(ClaimFactory(created_by=author))
    body = {"type": "SpecificResource", "source": f"{ORIGIN}/claims/{claim.pk}/"}
    report = import_file(article, annotation_of("unemployment fell", body=body), researcher)
    assert counts(report) == (0, 0, 0, 1)
    assert "published" in report.refused[0]
    assert not Mention.objects.exists()


@pytest.mark.parametrize("name", ["reader:annotations", "reader:annotations_import"])
def test_someone_with_no_role_may_neither_export_nor_import(name, login, outsider):
    mention = MentionFactory()
    assert login(outsider).get(reverse(name, args=[mention.article_id])).status_code == 403
    assert (
        login(outsider).get(reverse("claims:annotations", args=[mention.claim_id])).status_code
        == 403
    )
