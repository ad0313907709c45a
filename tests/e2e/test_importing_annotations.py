"""A researcher imports annotations made elsewhere onto the demo article, from its page."""

import json
import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, Mention

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINE = "Zelensky Confirms North Korean Soldiers Now Fighting for Russia in Ukraine"
# Words of the demo article that no demo claim marks, once in the text.
PASSAGE = "praised Ukrainian defenders for holding off Russian advances around Donetsk"
CLAIM = "Ukrainian defenders are holding off Russian advances around Donetsk."


def annotation(quote: str, text: str, *, tags=(), prefix: str = "") -> dict:
    """A W3C Web Annotation of a quote, as another tool would export it (no document named)."""
    selector = {"type": "TextQuoteSelector", "exact": quote}
    if prefix:
        selector["prefix"] = prefix
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "describing",
        "creator": {"type": "Person", "nickname": "colleague"},
        "body": [
            {"type": "TextualBody", "purpose": "describing", "value": text},
            *({"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags),
        ],
        "target": {"type": "SpecificResource", "selector": selector},
    }


def a_file(document, name: str = "annotations.jsonld") -> dict:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return {"name": name, "mimeType": "application/ld+json", "buffer": data}


def open_the_import_page(page, log_in):
    log_in("researcher")
    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name=HEADLINE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    page.get_by_role("link", name="Import annotations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import annotations")


def test_a_researcher_imports_an_annotation_and_finds_its_claim_marked_in_the_article(
    page, demo, log_in
):
    open_the_import_page(page, log_in)
    claims = Claim.objects.count()
    document = [
        annotation(PASSAGE, CLAIM, tags=["Donetsk"]),
        # "Donetsk" is twice in the article: not placed, never guessed.
        annotation("Donetsk", "Fighting continues around Donetsk."),
    ]
    page.get_by_label("File of annotations").set_input_files(a_file(document))
    page.get_by_role("button", name="Import").click()

    report = page.get_by_role("region", name="Import report")
    expect(report).to_contain_text("Placed: 1; already present: 0; not placed: 1; refused: 0.")
    claim = Claim.objects.get(text=CLAIM)
    expect(report.get_by_role("listitem").filter(has_text="Annotation 1:")).to_have_text(
        re.compile(rf"^Annotation 1: “praised Ukrainian defenders.* as new claim #{claim.pk}$")
    )
    expect(report.get_by_role("listitem").filter(has_text="Annotation 2:")).to_contain_text(
        "The quote “Donetsk” occurs 2 times"
    )

    assert Claim.objects.count() == claims + 1 and claim.status == "draft"
    assert [tag.name for tag in claim.tags.all()] == ["Donetsk"]
    assert list(claim.mentions.values_list("quote", flat=True)) == [PASSAGE]
    assert not Claim.objects.filter(text="Fighting continues around Donetsk.").exists()

    # Back on the article, the passage is marked and the new claim is listed beside it.
    page.get_by_role("link", name="Back to the article").click()
    mark = page.locator("article mark", has=page.get_by_title(CLAIM))
    expect(mark).to_have_text(PASSAGE)
    expect(page.get_by_role("complementary").get_by_role("link", name=CLAIM)).to_have_count(1)

    # The same file again adds nothing.
    page.get_by_role("link", name="Import annotations").click()
    page.get_by_label("File of annotations").set_input_files(a_file(document))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("region", name="Import report")).to_contain_text(
        "Placed: 0; already present: 1; not placed: 1; refused: 0."
    )
    assert Claim.objects.count() == claims + 1 and claim.mentions.count() == 1


def test_a_file_that_is_not_annotations_is_refused_with_the_reason_and_nothing_is_stored(
    page, demo, log_in
):
    open_the_import_page(page, log_in)
    claims, mentions = Claim.objects.count(), Mention.objects.count()
    # A paste cut short: the closing bracket is missing.
    truncated = json.dumps(annotation(PASSAGE, CLAIM))[:-1].encode()
    page.get_by_label("File of annotations").set_input_files(a_file(truncated, "notes.jsonld"))
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("alert").filter(has_text="is not JSON")).to_be_visible()
    expect(page.get_by_role("region", name="Import report")).to_have_count(0)
    # The form is there to choose the file again, corrected.
    expect(page.get_by_label("File of annotations")).to_be_visible()
    assert (Claim.objects.count(), Mention.objects.count()) == (claims, mentions)

    page.get_by_label("File of annotations").set_input_files(a_file(annotation(PASSAGE, CLAIM)))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("region", name="Import report")).to_contain_text(
        "Placed: 1; already present: 0; not placed: 0; refused: 0."
    )
    assert Claim.objects.count() == claims + 1
