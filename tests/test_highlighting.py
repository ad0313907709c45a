"""Splitting an article's text into runs, so overlapping mentions each get their marks."""

from articles.highlighting import split_into_runs


def texts_and_spans(runs):
    return [(run.text, run.spans) for run in runs]


def test_a_text_without_spans_is_one_plain_run():
    assert texts_and_spans(split_into_runs("plain", [])) == [("plain", ())]


def test_a_span_splits_the_text_around_it():
    runs = split_into_runs("one two three", [("a", 4, 7)])
    assert texts_and_spans(runs) == [("one ", ()), ("two", ("a",)), (" three", ())]


def test_nested_spans_list_the_outer_span_first():
    runs = split_into_runs("abcdef", [("inner", 2, 4), ("outer", 1, 5)])
    assert texts_and_spans(runs) == [
        ("a", ()),
        ("b", ("outer",)),
        ("cd", ("outer", "inner")),
        ("e", ("outer",)),
        ("f", ()),
    ]


def test_overlapping_spans_share_only_their_common_part():
    runs = split_into_runs("abcdef", [("first", 0, 4), ("second", 2, 6)])
    assert texts_and_spans(runs) == [
        ("ab", ("first",)),
        ("cd", ("first", "second")),
        ("ef", ("second",)),
    ]


def test_the_runs_put_back_together_are_the_text():
    text = "The quick brown fox jumps over the lazy dog."
    runs = split_into_runs(text, [(1, 4, 9), (2, 4, 19), (3, 30, 44)])
    assert "".join(run.text for run in runs) == text
