"""The anchoring module: offsets, quotes and selectors, and quotes re-found in edited texts."""

import random
from difflib import SequenceMatcher

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from claims.anchoring import (
    CONTEXT_LENGTH,
    FUZZY_MIN_LENGTH,
    Anchor,
    AnchorError,
    anchor_at,
    anchor_from_selectors,
    check_anchor,
    codepoints_to_utf16,
    position_from_selector,
    quote_from_selector,
    reanchor,
    utf16_to_codepoints,
)

TEXT = "Alpha beta gamma delta."


def test_an_anchor_carries_quote_prefix_and_suffix():
    anchor = anchor_at(TEXT, 6, 10)
    assert (anchor.quote, anchor.prefix, anchor.suffix) == ("beta", "Alpha ", " gamma delta.")


def test_context_is_at_most_32_characters_each_side():
    text = "a" * 100 + "quote" + "b" * 100
    anchor = anchor_at(text, 100, 105)
    assert len(anchor.prefix) == len(anchor.suffix) == CONTEXT_LENGTH == 32


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (6, 2), (0, len(TEXT) + 1)])
def test_spans_that_do_not_fit_the_text_are_refused(start, end):
    with pytest.raises(AnchorError, match="does not fit"):
        anchor_at(TEXT, start, end)


def test_a_quote_must_equal_the_text_at_its_offsets():
    with pytest.raises(AnchorError, match="not the quote"):
        check_anchor(TEXT, 6, 10, "Beta")
    assert check_anchor(TEXT, 6, 10, "beta").quote == "beta"


def test_astral_characters_count_as_one_code_point():
    text = "🙂🙂 claim"
    assert anchor_at(text, 3, 8).quote == "claim"


# UTF-16 offsets, as a browser's DOM selection gives them.


@pytest.mark.parametrize(
    ("text", "utf16", "codepoints"),
    [
        ("🙂🙂 claim", [0, 2, 4, 5, 10], [0, 1, 2, 3, 8]),
        ("a🙂b𝄞c", [0, 1, 3, 4, 6, 7], [0, 1, 2, 3, 4, 5]),
        ("Привет, 世界 — e\u0301", [0, 6, 10, 15], [0, 6, 10, 15]),
        ("", [0], [0]),
    ],
)
def test_utf16_offsets_convert_both_ways(text, utf16, codepoints):
    assert [utf16_to_codepoints(text, offset) for offset in utf16] == codepoints
    assert [codepoints_to_utf16(text, offset) for offset in codepoints] == utf16


@pytest.mark.parametrize("offset", [1, 3])
def test_a_utf16_offset_inside_a_surrogate_pair_is_refused(offset):
    with pytest.raises(AnchorError, match="inside a character"):
        utf16_to_codepoints("🙂🙂 claim", offset)


@pytest.mark.parametrize("offset", [-1, 11])
def test_utf16_offsets_outside_the_text_are_refused(offset):
    with pytest.raises(AnchorError, match="outside the text"):
        utf16_to_codepoints("🙂🙂 claim", offset)


@pytest.mark.parametrize("offset", [-1, 9])
def test_code_point_offsets_outside_the_text_are_refused(offset):
    with pytest.raises(AnchorError, match="outside the text"):
        codepoints_to_utf16("🙂🙂 claim", offset)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.data())
def test_utf16_conversion_round_trips_and_counts_like_javascript(text, data):
    offset = data.draw(st.integers(0, len(text)))
    utf16 = codepoints_to_utf16(text, offset)
    assert utf16 == len(text[:offset].encode("utf-16-le")) // 2  # JavaScript's String.length
    assert utf16_to_codepoints(text, utf16) == offset


# Re-anchoring in an edited text.

ARTICLE = (
    "The minister said on Monday that unemployment fell to 4.1 per cent last year. "
    "Critics replied that the figure leaves out people who stopped looking for work."
)
QUOTE = "unemployment fell to 4.1 per cent last year"


def quoted(text: str, quote: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return anchor_at(text, start, start + len(quote))


def test_an_unchanged_text_keeps_the_anchor():
    anchor = quoted(ARTICLE, QUOTE)
    assert reanchor(ARTICLE, anchor) == anchor


def test_text_inserted_before_shifts_the_anchor():
    anchor = quoted(ARTICLE, QUOTE)
    moved = reanchor("Updated at noon. " + ARTICLE, anchor)
    assert (moved.start, moved.quote) == (anchor.start + 17, QUOTE)


def test_a_moved_quote_is_found_where_it_went():
    first, second = ARTICLE.split(". ", 1)
    anchor = quoted(ARTICLE, QUOTE)
    moved = reanchor(f"{second} {first}.", anchor)
    assert moved.quote == QUOTE
    assert moved.start == len(second) + 1 + first.index(QUOTE)


def test_duplicate_quotes_are_told_apart_by_their_context():
    text = "Ann said prices rose. Then Bob said prices rose. Nobody else did."
    anchor = quoted(text, "prices rose", occurrence=1)
    moved = reanchor("Breaking: " + text.replace("Ann", "Annabel"), anchor)
    assert moved.prefix.endswith("Bob said ")


def test_context_outweighs_an_old_position_that_still_holds_the_quote():
    anchor = quoted("Ann said prices rose. Bob said prices rose.", "prices rose", occurrence=1)
    swapped = "Bob said prices rose. Ann said prices rose."
    assert swapped[anchor.start : anchor.end] == "prices rose"
    assert reanchor(swapped, anchor).start == swapped.index("prices rose")


def test_among_equally_bordered_occurrences_the_nearest_wins():
    text = "x. prices rose. " * 5
    anchor = quoted(text, "prices rose", occurrence=2)
    assert reanchor("x. " + text, anchor).start == anchor.start + 3


def test_a_small_edit_inside_the_quote_is_found_approximately():
    anchor = quoted(ARTICLE, QUOTE)
    edited = ARTICLE.replace("4.1 per cent", "4.2 per cent")
    moved = reanchor("Corrected: " + edited, anchor)
    assert moved.quote == "unemployment fell to 4.2 per cent last year"
    assert moved.prefix.endswith("on Monday that ")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("unemployment", "employment"),
        ("unemployment", "Unemployment"),
        ("last year", "last month"),
        ("fell to", "fell sharply to"),
        (" last year", ""),
    ],
)
def test_edits_at_either_end_of_the_quote_stay_in_the_new_quote(old, new):
    moved = reanchor(ARTICLE.replace(old, new), quoted(ARTICLE, QUOTE))
    assert moved.quote == QUOTE.replace(old, new).strip()


def test_text_inserted_right_after_the_quote_is_not_absorbed():
    anchor = quoted(ARTICLE, QUOTE)
    edited = ARTICLE.replace("4.1", "4.0").replace("last year.", "last year (revised).")
    assert reanchor(edited, anchor).quote == QUOTE.replace("4.1", "4.0")


def test_an_exact_copy_elsewhere_wins_over_the_quote_edited_in_place():
    text = "Regression testing. It reruns old tests. Regression testing catches new faults."
    anchor = quoted(text, "Regression testing")
    moved = reanchor(text.replace("Regression testing.", "Regression tests."), anchor)
    assert moved.start == text.rindex("Regression testing") - 2


def test_a_deleted_quote_leaves_an_orphan():
    assert reanchor(ARTICLE.replace(QUOTE, "it did"), quoted(ARTICLE, QUOTE)) is None


def test_a_rewritten_quote_leaves_an_orphan():
    rewritten = ARTICLE.replace(QUOTE, "joblessness went down a little in 2024")
    assert reanchor(rewritten, quoted(ARTICLE, QUOTE)) is None


def test_short_quotes_are_only_found_verbatim():
    anchor = quoted(ARTICLE, "on Monday")
    assert reanchor(ARTICLE.replace("Monday", "Sunday"), anchor) is None


def test_an_anchor_with_an_empty_quote_is_an_orphan():
    assert reanchor(ARTICLE, Anchor(0, 0, "", "", "The")) is None


# Selectors, as the W3C Web Annotation model spells them.


def test_selectors_parse_into_offsets_and_quotes():
    assert position_from_selector({"type": "TextPositionSelector", "start": 0, "end": 4}) == (0, 4)
    assert quote_from_selector({"type": "TextQuoteSelector", "exact": "beta"}) == ("beta", "", "")
    parsed = quote_from_selector(
        {"type": "TextQuoteSelector", "exact": "beta", "prefix": "a ", "suffix": " g", "id": "x"}
    )
    assert (parsed.exact, parsed.prefix, parsed.suffix) == ("beta", "a ", " g")


@pytest.mark.parametrize(
    "selector",
    [
        {"type": "TextPositionSelector", "start": -1, "end": 4},
        {"type": "TextPositionSelector", "start": 5, "end": 4},
        {"type": "TextPositionSelector", "start": 0},
        {"type": "TextPositionSelector", "start": "0", "end": 4},
        {"type": "TextPositionSelector", "start": 0, "end": 4.0},
        {"type": "TextPositionSelector", "start": False, "end": True},
        {"type": "TextQuoteSelector", "start": 0, "end": 4},
        {"start": 0, "end": 4},
        [0, 4],
    ],
)
def test_malformed_position_selectors_are_refused(selector):
    with pytest.raises(AnchorError):
        position_from_selector(selector)


@pytest.mark.parametrize(
    "selector",
    [
        {"type": "TextQuoteSelector"},
        {"type": "TextQuoteSelector", "exact": ""},
        {"type": "TextQuoteSelector", "exact": ["beta"]},
        {"type": "TextQuoteSelector", "exact": "beta", "prefix": None},
        {"type": "TextQuoteSelector", "exact": "beta", "suffix": 3},
        {"type": "TextPositionSelector", "exact": "beta"},
        "beta",
    ],
)
def test_malformed_quote_selectors_are_refused(selector):
    with pytest.raises(AnchorError):
        quote_from_selector(selector)


def selectors(start: int, end: int, exact: str, prefix: str = "", suffix: str = "") -> list:
    return [
        {"type": "RangeSelector", "startContainer": "/p[1]", "endContainer": "/p[1]"},
        {"type": "TextPositionSelector", "start": start, "end": end},
        {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
    ]


def test_a_position_that_holds_the_quote_is_used():
    assert anchor_from_selectors(TEXT, selectors(6, 10, "beta")) == anchor_at(TEXT, 6, 10)


def test_a_stale_position_falls_back_to_the_quote_and_its_context():
    text = "beta one, beta two, beta three."
    anchor = anchor_from_selectors(text, selectors(1, 5, "beta", "one, ", " three"))
    assert (anchor.start, anchor.suffix) == (20, " three.")


def test_a_position_past_the_end_falls_back_to_the_quote():
    assert anchor_from_selectors(TEXT, selectors(60, 64, "gamma")).start == 11


def test_a_quote_not_in_the_text_gives_no_anchor():
    assert anchor_from_selectors(TEXT, selectors(6, 10, "epsilon")) is None


def test_either_selector_alone_is_enough():
    position, quote = selectors(6, 10, "beta")[1:]
    assert anchor_from_selectors(TEXT, [position]).quote == "beta"
    assert anchor_from_selectors(TEXT, ["http://example.org/sel", quote]).start == 6
    assert anchor_from_selectors(TEXT, [{"type": "FragmentSelector", "value": "p1"}]) is None


def test_a_malformed_selector_in_the_list_is_refused():
    with pytest.raises(AnchorError, match="exact"):
        anchor_from_selectors(TEXT, [{"type": "TextQuoteSelector", "prefix": "a"}])


# Property-based: random texts and random edits.

LETTERS = "abcde fghij.\nüé🙂"


@st.composite
def anchored_edits(draw, where: str = "anywhere"):
    """A text, an anchor in it, the text after one insertion, deletion or replacement (anywhere,
    before the quote, after it or inside it), and how far that moved the quote."""
    shortest = FUZZY_MIN_LENGTH if where == "inside" else 1
    text = draw(st.text(LETTERS, min_size=shortest, max_size=300))
    start = draw(st.integers(0, len(text) - shortest))
    end = draw(st.integers(start + shortest, min(len(text), start + 60)))
    low, high = {"before": (0, start), "after": (end, len(text)), "inside": (start, end)}.get(
        where, (0, len(text))
    )
    size = (end - start) // 5 if where == "inside" else 30
    position = draw(st.integers(low, high))
    deleted = draw(st.integers(0, min(high - position, size)))
    inserted = draw(st.text(LETTERS, max_size=size))
    new_text = text[:position] + inserted + text[position + deleted :]
    shift = len(inserted) - deleted if where == "before" else 0
    return anchor_at(text, start, end), new_text, shift


def outcome(anchor: Anchor, moved: Anchor | None) -> str:
    return "orphan" if moved is None else "exact" if moved.quote == anchor.quote else "approximate"


@settings(max_examples=300, deadline=None)
@given(anchored_edits())
def test_reanchor_gives_an_orphan_or_a_true_anchor(case):
    anchor, new_text, _ = case
    moved = reanchor(new_text, anchor)
    event(outcome(anchor, moved))
    if moved is not None:
        assert moved == anchor_at(new_text, moved.start, moved.end)


@settings(max_examples=300, deadline=None)
@given(anchored_edits("inside"))
def test_small_edits_inside_a_quote_give_an_orphan_or_a_similar_quote(case):
    anchor, new_text, _ = case
    moved = reanchor(new_text, anchor)
    event(outcome(anchor, moved))
    if moved is not None:
        assert moved == anchor_at(new_text, moved.start, moved.end)
        assert SequenceMatcher(None, anchor.quote, moved.quote).ratio() >= 0.6


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["before", "after"]).flatmap(anchored_edits))
def test_edits_away_from_a_unique_quote_shift_it_exactly(case):
    anchor, new_text, shift = case
    assume(new_text.find(anchor.quote) == new_text.rfind(anchor.quote))
    moved = reanchor(new_text, anchor)
    assert (moved.start, moved.end) == (anchor.start + shift, anchor.end + shift)


# Seeded samples of realistic edits: rates over many cases, not single cases.

SPELLER = random.Random(0)  # noqa: S311 - fixed samples, not secrets
VOCABULARY = ["".join(SPELLER.choices("etaoinshrdlucmfwypvbgk", k=1 + n % 9)) for n in range(500)]


def words_text(rng: random.Random, length: int) -> str:
    """Made-up words and punctuation: varied enough that a quote of a few words is unique."""
    words = []
    while sum(len(word) + 1 for word in words) <= length:
        words.append(rng.choice(VOCABULARY) + rng.choice(["", "", "", ",", "."]))
    return " ".join(words)[:length]


def edit_between(rng: random.Random, text: str, low: int, high: int, size: int) -> tuple[str, int]:
    """The text with an insertion, deletion or replacement of up to size characters in low–high,
    and the change in its length."""
    position = rng.randint(low, high)
    deleted = rng.randint(0, min(size, high - position))
    inserted = words_text(rng, rng.randint(0 if deleted else 1, size))
    return text[:position] + inserted + text[position + deleted :], len(inserted) - deleted


def test_a_thousand_edits_away_from_the_quote_orphan_and_misplace_none():
    rng = random.Random(2024)  # noqa: S311 - a fixed sample, not a secret
    text = words_text(rng, 5000)
    orphans = misplaced = 0
    for _ in range(1000):
        start = rng.randrange(len(text) - 120)
        end = start + rng.randint(12, 120)
        anchor = anchor_at(text, start, end)
        before = rng.random() < 0.5
        low, high = (0, start) if before else (end, len(text))
        new_text, change = edit_between(rng, text, low, high, size=40)
        shift = change if before else 0
        moved = reanchor(new_text, anchor)
        orphans += moved is None
        misplaced += moved is not None and (moved.start, moved.end) != (start + shift, end + shift)
    assert (orphans, misplaced) == (0, 0)


def outcomes_of_edits_inside(seed: int, share: float) -> tuple[int, int, int]:
    """Orphans, wrong placements and approximate finds over 1000 edits inside the quote."""
    rng = random.Random(seed)  # noqa: S311 - a fixed sample, not a secret
    text = words_text(rng, 5000)
    orphans = wrong = approximate = 0
    for _ in range(1000):
        start = rng.randrange(len(text) - 120)
        end = start + rng.randint(20, 120)
        anchor = anchor_at(text, start, end)
        new_text, shift = edit_between(rng, text, start, end, size=int((end - start) * share))
        moved = reanchor(new_text, anchor)
        if moved is None:
            orphans += 1
            continue
        approximate += moved.quote != anchor.quote
        similar = SequenceMatcher(None, anchor.quote, moved.quote).ratio() >= 0.6
        # The edited quote now lies within start–(end + shift): the anchor must overlap it.
        wrong += not (similar and moved.start < end + shift and moved.end > start)
    return orphans, wrong, approximate


def test_a_thousand_small_edits_inside_the_quote_are_all_found():
    orphans, wrong, approximate = outcomes_of_edits_inside(seed=2025, share=0.2)
    assert (orphans, wrong) == (0, 0)
    assert approximate > 900  # most edits change the quote: the approximate search found them


def test_a_thousand_large_edits_inside_the_quote_orphan_it_rather_than_misplace_it():
    orphans, wrong, _ = outcomes_of_edits_inside(seed=2026, share=1.0)
    assert wrong == 0
    assert orphans > 500  # edits up to the quote's own length: most are too large to follow


def test_a_long_text_reanchors_exactly_approximately_or_as_an_orphan():
    rng = random.Random(7)  # noqa: S311 - a fixed sample, not a secret
    text = words_text(rng, 20_000)
    anchor = anchor_at(text, 12_000, 12_300)
    edited = text[:12_100] + "a few new words" + text[12_110:]
    outcomes = []
    # Speed belongs in benchmarks, not tests; the search windows keep this in milliseconds.
    for new_text in (text, "Preface. " + text, edited, text[:12_000] + text[12_300:]):
        outcomes.append(outcome(anchor, reanchor(new_text, anchor)))
    assert outcomes == ["exact", "exact", "approximate", "orphan"]


@pytest.mark.parametrize(
    ("old_word", "new_word", "expected"),
    [
        ("minister", "premier", "premier said jobs rose"),
        ("rose", "grew", "minister said jobs grew"),
    ],
)
def test_a_word_rewritten_at_either_end_of_the_quote_stays_whole(old_word, new_word, expected):
    text = "The minister said jobs rose by a record amount."
    anchor = anchor_at(text, 4, 27)
    found = reanchor(text.replace(old_word, new_word), anchor)
    assert found is not None and found.quote == expected
