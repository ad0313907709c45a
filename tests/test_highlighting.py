"""Splitting an article's text into runs, so overlapping mentions each get their marks."""

import sys

import pytest

from articles import highlighting
from articles.highlighting import split_into_runs


def texts_and_spans(runs):
    return [(run.text, run.innermost, run.depth) for run in runs]


def test_a_text_without_spans_is_one_plain_run():
    assert texts_and_spans(split_into_runs("plain", [])) == [("plain", None, 0)]


def test_a_span_splits_the_text_around_it():
    runs = split_into_runs("one two three", [("a", 4, 7)])
    assert texts_and_spans(runs) == [("one ", None, 0), ("two", "a", 1), (" three", None, 0)]


def test_nested_spans_mark_the_inner_span_and_count_the_depth():
    runs = split_into_runs("abcdef", [("inner", 2, 4), ("outer", 1, 5)])
    assert texts_and_spans(runs) == [
        ("a", None, 0),
        ("b", "outer", 1),
        ("cd", "inner", 2),
        ("e", "outer", 1),
        ("f", None, 0),
    ]


def test_overlapping_spans_share_only_their_common_part():
    runs = split_into_runs("abcdef", [("first", 0, 4), ("second", 2, 6)])
    assert texts_and_spans(runs) == [
        ("ab", "first", 1),
        ("cd", "second", 2),
        ("ef", "second", 1),
    ]


def test_the_runs_put_back_together_are_the_text():
    text = "The quick brown fox jumps over the lazy dog."
    runs = split_into_runs(text, [(1, 4, 9), (2, 4, 19), (3, 30, 44)])
    assert "".join(run.text for run in runs) == text


def test_spans_with_one_start_mark_the_shorter_one():
    runs = split_into_runs("abcdef", [("long", 1, 5), ("short", 1, 3)])
    assert texts_and_spans(runs) == [
        ("a", None, 0),
        ("bc", "short", 2),
        ("de", "long", 1),
        ("f", None, 0),
    ]


def lines_run(count: int, *, nested: bool) -> int:
    """How many lines of the highlighting module run for `count` spans (a measure of work)."""
    text = "word " * (count * 4)
    if nested:  # every span inside the one before: the worst case for a list of coverers
        spans = [(i, i, len(text) - i) for i in range(count)]
    else:
        spans = [(i, i * 20, i * 20 + 9) for i in range(count)]
    executed = 0

    def tracer(frame, event, arg):
        nonlocal executed
        if frame.f_code.co_filename == highlighting.__file__:
            if event == "line":
                executed += 1
            return tracer
        return None

    sys.settrace(tracer)
    try:
        split_into_runs(text, spans)
    finally:
        sys.settrace(None)
    return executed


@pytest.mark.parametrize("nested", [False, True])
def test_the_work_grows_linearly_with_the_number_of_mentions(nested):
    # Ten times the mentions may cost ten times the lines, not a hundred times (it did: quadratic).
    small, large = lines_run(1_000, nested=nested), lines_run(10_000, nested=nested)
    assert large < 11 * small
