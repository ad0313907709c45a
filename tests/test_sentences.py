"""A selected fragment becomes the sentence the tag form suggests as the claim."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.sentences import as_sentence


@pytest.mark.parametrize(
    ("fragment", "sentence"),
    [
        ("jobs rose by 5% last year", "Jobs rose by 5% last year."),
        ("Jobs rose.", "Jobs rose."),
        ("did jobs rise?", "Did jobs rise?"),
        ("jobs rose  \n", "Jobs rose."),
        ("  jobs\nrose   sharply", "Jobs rose sharply."),
        ("jobs rose,", "Jobs rose."),
        ("jobs rose —", "Jobs rose."),
        ("“jobs rose by 5%”", "Jobs rose by 5%."),
        ('"Jobs rose."', "Jobs rose."),
        ("‘jobs rose’", "Jobs rose."),
        ("«les emplois ont augmenté»", "Les emplois ont augmenté."),
        ("„Arbeitsplätze sind gestiegen“", "Arbeitsplätze sind gestiegen."),
        ("“jobs rose by 5%", "Jobs rose by 5%."),
        ("jobs rose by 5%.”", "Jobs rose by 5%."),
        ("“jobs rose,” he said", "“Jobs rose,” he said."),
        ('he called it "a miracle"', 'He called it "a miracle".'),
        ("he said “it rose.”", "He said “it rose.”"),
        ("the ministers' figures rose", "The ministers' figures rose."),
        ("eBay sales rose", "eBay sales rose."),
        ("5 million jobs were created", "5 million jobs were created."),
        ("jobs rose…", "Jobs rose…"),
        ("", ""),
        ("  “”  ", ""),
        (",", ""),
    ],
)
def test_a_fragment_is_written_as_a_sentence(fragment, sentence):
    assert as_sentence(fragment) == sentence


def test_a_fragment_inside_a_sentence_is_not_expanded_beyond_the_selection():
    assert as_sentence("troops are fighting") == "Troops are fighting."


@given(st.text())
def test_tidying_twice_changes_nothing_more(fragment):
    once = as_sentence(fragment)
    assert as_sentence(once) == once


@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs"])))
def test_every_word_of_a_plain_fragment_is_kept(fragment):
    assert as_sentence(fragment).rstrip(".").split() == [
        word if index else as_sentence(word).rstrip(".")
        for index, word in enumerate(fragment.split())
    ]
