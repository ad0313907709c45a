"""Real annotation data: the W3C Web Annotation samples and Hypothesis's anchoring baselines."""

import json
from collections import Counter

import lxml.html
import pytest

from claims.anchoring import (
    AnchorError,
    anchor_from_selectors,
    position_from_selector,
    quote_from_selector,
    reanchor,
    utf16_to_codepoints,
)

PARSERS = {"TextPositionSelector": position_from_selector, "TextQuoteSelector": quote_from_selector}


def text_selectors(node):
    """Every TextQuote and TextPosition selector in a JSON value, however deeply nested."""
    if isinstance(node, dict):
        if node.get("type") in PARSERS:
            yield node
        for value in node.values():
            yield from text_selectors(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_selectors(item)


def parse(selector: dict):
    return PARSERS[selector["type"]](selector)


# W3C samples (w3c/web-annotation-tests, tools/samples).


def test_every_text_selector_in_the_valid_w3c_samples_parses(shared_data):
    found = Counter()
    for path in sorted((shared_data / "annotation/w3c-samples/correct").glob("*.json")):
        for selector in text_selectors(json.loads(path.read_text())):
            parse(selector)
            found[path.name, selector["type"]] += 1
    # anno26 and anno32 (a refinedBy of a FragmentSelector) quote; anno27 and anno41-example44
    # (also a refinedBy) give positions; collection1 repeats all four as items of a page.
    assert found == {
        ("anno26.json", "TextQuoteSelector"): 1,
        ("anno32.json", "TextQuoteSelector"): 1,
        ("anno27.json", "TextPositionSelector"): 1,
        ("anno41-example44.json", "TextPositionSelector"): 1,
        ("collection1.json", "TextQuoteSelector"): 2,
        ("collection1.json", "TextPositionSelector"): 2,
    }


def test_the_w3c_sample_selectors_mean_what_they_say(shared_data):
    samples = shared_data / "annotation/w3c-samples/correct"
    [quote] = text_selectors(json.loads((samples / "anno26.json").read_text()))
    [position] = text_selectors(json.loads((samples / "anno41-example44.json").read_text()))
    assert quote_from_selector(quote) == ("anotation", "this is an ", " that has some")
    assert position_from_selector(position) == (6, 27)
    # The prefix and suffix pick the right one of two copies of the exact text.
    text = "An anotation here; this is an anotation that has some context."
    assert anchor_from_selectors(text, [quote]).start == text.rindex("anotation")


# None of the 39 invalid samples is invalid because of a TextQuote or TextPosition selector.
# 17 are not JSON at all (anno1 is prose; anno10, anno12-25 and anno37 have trailing commas);
# the others break rules on @context, id, type, body, bodyValue, creator, generator, dates,
# rights, via or canonical. Their only selectors are FragmentSelectors, in anno38 (no value)
# and anno39 (two values). So this list, of files wrong because of a text selector, is empty.
INVALID_BECAUSE_OF_A_TEXT_SELECTOR: dict[str, str] = {}


def test_the_invalid_w3c_samples_hold_no_text_selector_but_the_listed_ones(shared_data):
    with_text_selectors, not_json = {}, []
    for path in sorted((shared_data / "annotation/w3c-samples/incorrect").glob("*.json")):
        try:
            annotation = json.loads(path.read_text())
        except json.JSONDecodeError:
            not_json.append(path.name)
            continue
        if selectors := list(text_selectors(annotation)):
            with_text_selectors[path.name] = selectors
    assert (len(not_json), len(with_text_selectors)) == (17, 0)
    assert with_text_selectors.keys() == INVALID_BECAUSE_OF_A_TEXT_SELECTOR.keys()
    for selectors in with_text_selectors.values():
        with pytest.raises(AnchorError):
            for selector in selectors:
                parse(selector)


# The invalid samples' faults (a value missing as in anno38, repeated as in anno39, of the wrong
# type as in anno14), applied to the valid samples' text selectors.
BREAKAGES = {
    "TextQuoteSelector": [
        lambda s: s.pop("exact"),
        lambda s: s.update(exact=""),
        lambda s: s.update(exact=[s["exact"], s["exact"]]),
        lambda s: s.update(prefix=6),
        lambda s: s.update(suffix=[s["suffix"], "and more"]),
    ],
    "TextPositionSelector": [
        lambda s: s.pop("start"),
        lambda s: s.update(start=-1),
        lambda s: s.update(end=[s["end"], s["end"] + 1]),
        lambda s: s.update(start=str(s["start"])),
        lambda s: s.update(start=s["end"] + 1),
    ],
}


def test_the_valid_samples_text_selectors_broken_as_invalid_samples_are_refused(shared_data):
    refused = 0
    for path in sorted((shared_data / "annotation/w3c-samples/correct").glob("*.json")):
        for selector in text_selectors(json.loads(path.read_text())):
            for breakage in BREAKAGES[selector["type"]]:
                broken = dict(selector)
                breakage(broken)
                with pytest.raises(AnchorError):
                    parse(broken)
                refused += 1
    assert refused == 8 * 5


# Hypothesis's anchoring baselines (hypothesis/client, src/annotator/anchoring/test).


def page_text(html: str) -> str:
    """The page's text as a browser's document.body.textContent gives it.

    A browser's parser moves whitespace after </body> into the body; lxml keeps it as the
    body's tail. The <head> (title, scripts) is not part of the text the positions count.
    """
    body = lxml.html.document_fromstring(html).body
    return body.text_content() + (body.tail or "")


def baseline(shared_data, name: str) -> tuple[str, list[dict]]:
    folder = shared_data / "annotation/hypothesis-baselines"
    rows = json.loads((folder / f"{name}.json").read_text())["rows"]
    return page_text((folder / f"{name}.html").read_text()), rows


def in_code_points(text: str, selectors: list[dict]) -> list[dict]:
    """The selectors with positions converted from the browser's UTF-16 offsets."""
    return [
        {
            **s,
            "start": utf16_to_codepoints(text, s["start"]),
            "end": utf16_to_codepoints(text, s["end"]),
        }
        if s["type"] == "TextPositionSelector"
        else s
        for s in selectors
    ]


def by_type(selectors: list[dict]) -> dict[str, dict]:
    return {s["type"]: s for s in selectors}


def test_the_minimal_baseline_is_reproduced_exactly(shared_data):
    text, [row] = baseline(shared_data, "minimal")
    selectors = in_code_points(text, row["target"][0]["selector"])
    quote = by_type(selectors)["TextQuoteSelector"]
    anchor = anchor_from_selectors(text, selectors)
    assert text == "One Two Three\n"
    assert (anchor.start, anchor.end) == (4, 7)
    assert (anchor.quote, anchor.prefix, anchor.suffix) == (
        quote["exact"],
        quote["prefix"],
        quote["suffix"],
    )


# Each annotation's text (Hypothesis's label for it) and how far its position is off.
WIKIPEDIA_ROWS = {"Heading": 0, "Introduction": 0, "Quote": 0, "Body": 0, "Footer": -156}


@pytest.mark.parametrize(("label", "shift"), WIKIPEDIA_ROWS.items())
def test_every_wikipedia_annotation_is_anchored_on_its_quote(shared_data, label, shift):
    text, rows = baseline(shared_data, "wikipedia-regression-testing")
    [row] = [row for row in rows if row["text"] == label]
    selectors = in_code_points(text, row["target"][0]["selector"])
    found = by_type(selectors)
    position, quote = found["TextPositionSelector"], found["TextQuoteSelector"]
    anchor = anchor_from_selectors(text, selectors)
    assert anchor.quote == quote["exact"]
    assert anchor.start == position["start"] + shift
    if shift:  # the stale one: found through its quote, which occurs once
        assert text[position["start"] : position["end"]] != quote["exact"]
        assert text.count(quote["exact"]) == 1
    # The quote alone, without the position, finds the same place by its prefix and suffix.
    assert anchor_from_selectors(text, [quote]) == anchor


def test_the_positions_count_the_bodys_text_not_the_whole_documents(shared_data):
    folder = shared_data / "annotation/hypothesis-baselines"
    html = (folder / "wikipedia-regression-testing.html").read_text()
    texts = {
        "body": page_text(html),
        "document": lxml.html.document_fromstring(html).text_content(),
    }
    _, rows = baseline(shared_data, "wikipedia-regression-testing")

    def positions_that_hold_their_quote(text):
        return sum(
            text[s["TextPositionSelector"]["start"] : s["TextPositionSelector"]["end"]]
            == s["TextQuoteSelector"]["exact"]
            for s in (by_type(row["target"][0]["selector"]) for row in rows)
        )

    assert {name: positions_that_hold_their_quote(t) for name, t in texts.items()} == {
        "body": 4,
        "document": 0,
    }
    # The heading's quote is also in the page eight more times: only its context tells them apart.
    assert texts["body"].count("Regression testing") == 9


@pytest.mark.parametrize("label", ["Introduction", "Quote", "Body", "Footer"])
def test_a_wikipedia_quote_edited_by_one_character_is_reanchored(shared_data, label):
    text, rows = baseline(shared_data, "wikipedia-regression-testing")
    [row] = [row for row in rows if row["text"] == label]
    anchor = anchor_from_selectors(text, in_code_points(text, row["target"][0]["selector"]))
    middle = (anchor.start + anchor.end) // 2
    edited = "A new first paragraph.\n" + text[:middle] + "#" + text[middle + 1 :]
    moved = reanchor(edited, anchor)
    cut = middle - anchor.start
    assert moved.start == anchor.start + 23
    assert moved.quote == anchor.quote[:cut] + "#" + anchor.quote[cut + 1 :]
