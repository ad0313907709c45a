"""The anchoring module: offsets and quotes checked against the text they point into."""

import pytest

from claims.anchoring import CONTEXT_LENGTH, AnchorError, anchor_at, check_anchor

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
