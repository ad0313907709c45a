"""Generated news-like articles, edits to them and where each mention truly went.

Shared by tests/test_reanchoring_properties.py and bench/anchoring.py. Every case comes from a
random.Random, so a seed gives the same case everywhere. Articles are paragraphs of sentences
built from the word lists below; a mention's span is carried through an edit by two marker
characters in the text, so the ground truth never depends on the code under test.

Families that try to fool re-anchoring, where the truth is that the passage has no place any
more (its sentence is gone, or now says the opposite):
  repeated-phrase: a 2-4 word phrase used in several sentences; the mention's sentence deleted.
  near-duplicate-number: "45 million ..." deleted while "42 million ..." stays.
  negation-in-place: the claim's sentence edited to say the opposite.
  rebuttal-left: the claim's sentence deleted while its negation stays elsewhere.
And one where the passage is still there but an old copy of it sits elsewhere:
  quote-box-copy: a typo fixed in the body, the pull quote copied from it left as it was.
Ordinary edits, which must not need anyone: see ORDINARY. In those the mention's sentence has no
four words in a row in common with another sentence (see _ordinary_article).

A mention in the first four families covers the words that change, or ends within two words of
them in its own sentence: a mention beyond its 32 characters of context cannot tell a sentence
from its twin by any evidence it keeps, so those are not cases of these families.
"""

import random
import re
from collections import Counter
from dataclasses import dataclass

from claims.anchoring import (
    APPROXIMATE,
    CONFIRM,
    ORPHANED,
    PLACED,
    Anchor,
    Placement,
    anchor_at,
    place,
)

START, END = "\ue000", "\ue001"  # where the mention begins and ends, in marked texts
# Words a typing slip must not make or unmake: a slip changes no figure and no negation (a typo
# in "million" fixed is a figure edited, which a person sees).
UNSLIPPABLE = {"not", "no", "now", "nor", "none", "never", "one", "ten", "half", "thousand"}
UNSLIPPABLE |= {"hundred", "million", "billion", "thousands", "millions", "dozen"}

ADVERSARIAL = (
    "repeated-phrase",
    "near-duplicate-number",
    "negation-in-place",
    "rebuttal-left",
    "quote-box-copy",
)
ORDINARY = (
    "paragraph-before",
    "paragraph-after",
    "typo-inside",
    "typo-outside",
    "paragraphs-reordered",
    "quote-style",
    "whitespace",
    "sentence-added",
)

PEOPLE = [
    "Maria Lopez", "James Okafor", "Priya Raman", "Tomas Novak", "Helen Park", "Ahmed Saleh",
    "Grace Mbeki", "Daniel Weiss", "Sofia Rossi", "Kenji Watanabe", "Amara Diallo",
    "Lukas Brandt", "Nadia Haddad", "Owen Gallagher",
]  # fmt: skip
ROLES = [
    "the health minister", "the finance minister", "the mayor", "a government spokesperson",
    "the opposition leader", "a senior economist", "the union's president",
    "a local councillor", "the hospital's director", "an independent analyst",
]  # fmt: skip
ORGS = [
    "the statistics office", "the city council", "the electoral commission",
    "the weather service", "the transport authority", "the energy regulator",
    "the teachers' union", "the regional hospital", "the housing agency", "the water company",
]  # fmt: skip
SAY = [
    "said", "told reporters", "announced", "warned", "claimed", "argued", "insisted",
    "confirmed", "wrote", "stated",
]  # fmt: skip
WHEN = [
    "on Monday", "on Tuesday", "on Wednesday", "last week", "earlier this month",
    "in a statement", "at a press conference", "during the debate", "in an interview",
    "late on Friday",
]  # fmt: skip
LATER = ["next month", "before the summer", "by the end of the year", "after the election"]
PLACES = [
    "the capital", "the northern provinces", "coastal towns", "the river valley",
    "the old industrial district", "rural areas", "the border region", "the eastern suburbs",
]  # fmt: skip
THINGS = [
    "bus fares", "rents", "water prices", "hospital waiting times", "school budgets",
    "energy bills", "unemployment", "crime rates", "house prices", "food prices",
]  # fmt: skip
TRENDS = ["rose", "fell", "climbed", "dropped", "grew", "declined"]
ACTIONS = ["raise", "cut", "review", "freeze", "publish", "delay", "expand", "simplify"]
OBJECTS = [
    "the school budget", "bus fares", "the housing plan", "its annual report",
    "funding for rural clinics", "the new tax rules", "water prices", "the flood defences",
    "parking charges", "the pension reform",
]  # fmt: skip
GROUPS = [
    "residents", "farmers", "small businesses", "teachers", "nurses", "commuters",
    "pensioners", "students", "shop owners", "bus drivers",
]  # fmt: skip
SPOKEN = [
    "We will rebuild every school the floods damaged before winter",
    "This is a good day for {place} and for everyone who lives there",
    "Our members have waited long enough for a fair offer",
    "The budget leaves {group} to pay for decisions they never made",
    "Nobody in {place} should wait a year for a hospital appointment",
    "We expect the new rules to save families money within months",
]

# Short phrases used in several sentences, and sentences that use them with different words
# on either side.
PHRASES = [
    "the central bank", "interest rates", "the prime minister", "the city council",
    "public transport", "the new stadium", "housing costs", "the health service",
    "the peace talks", "the border crossing", "the central bank governor", "local elections",
]  # fmt: skip
PHRASE_SENTENCES = [
    "{person} {say} {when} that {p} would {action} {object}.",
    "Questions about {p} dominated the debate {when}.",
    "The report devotes a whole chapter to {p} and its critics.",
    "Supporters of {p} gathered outside the town hall on Saturday.",
    "The debate over {p} is expected to continue {later}.",
    "{group} in {place} say {p} matters more to them than taxes.",
    "Few expected {p} to become the main issue of the campaign.",
    "{person} {say} that criticism of {p} was unfair.",
    "A poll taken {when} found that {group} trust {p} less than before.",
    "Nothing about {p} appeared in the minister's speech.",
]

# Counted claims, for near-duplicate numbers.
COUNTED = [
    "people lacked access to clean water",
    "people were affected by the floods",
    "households were still without power",
    "voters took part in the first round",
    "people live below the poverty line",
    "children missed school during the strike",
    "passengers used the new rail line last year",
    "trees were planted under the scheme",
]
COUNT_LEADS = [
    "{person} {say} {when} that ",
    "According to {org}, ",
    "{org} estimates that ",
    "Figures released {when} show that ",
    "",
]

# Claims and their negations.
NEGATABLE = [
    ("{drug} is a safe treatment for {illness}", "{drug} is not a safe treatment for {illness}"),
    ("{drug} can cure {illness}", "{drug} cannot cure {illness}"),
    ("{drug} prevents {illness} in children", "{drug} does not prevent {illness} in children"),
    ("the government will raise {tax} soon", "the government will never raise {tax} soon"),
    ("the government will raise {tax} soon", "the government won't raise {tax} soon"),
    (
        "there is evidence that {drug} works against {illness}",
        "there is no evidence that {drug} works against {illness}",
    ),
    ("{person} was at the meeting with {org}", "{person} was not at the meeting with {org}"),
    ("{org} approved the merger in {month}", "{org} never approved the merger in {month}"),
    ("{org} knew about the leak for weeks", "{org} did not know about the leak for weeks"),
    ("the bridge is safe for heavy lorries", "the bridge is not safe for heavy lorries"),
]  # fmt: skip
DRUGS = ["ivermectin", "vitamin D", "the new vaccine", "zinc", "garlic extract", "the remedy"]
ILLNESSES = ["covid", "the flu", "measles", "long covid", "malaria", "dengue fever"]
TAXES = ["income tax", "fuel duty", "the sales tax", "property taxes", "the tourist levy"]
MONTHS = ["March", "April", "June", "September", "November"]
CLAIM_LEADS = ["{person} {say} {when} that ", "{person}, {role}, {say} that ", "Last year ", ""]
REBUTTAL_LEADS = [
    "But doctors say {claim}.",
    "{person} has since said that {claim}.",
    "Experts stress that {claim}.",
    "In fact, {claim}, according to {org}.",
    "A review published {when} found that {claim}.",
]


@dataclass(frozen=True)
class Case:
    family: str
    old_text: str
    anchor: Anchor  # the mention in the old text
    new_text: str
    expected: tuple[int, int] | None  # where its words are in the new text; None: nowhere


def make_case(family: str, rng: random.Random) -> Case:
    """One case of the family, drawn with rng."""
    return _BUILDERS[family](rng)


def outcome(case: Case, placement: Placement | None = None) -> str:
    """correct, held, orphaned or misplaced: what `place` did with the case."""
    placement = placement or place(case.new_text, case.anchor)
    if placement.kind == CONFIRM:
        return "held"
    if placement.kind == ORPHANED:
        return "orphaned"
    assert placement.kind in (PLACED, APPROXIMATE)
    span = (placement.anchor.start, placement.anchor.end)
    return "correct" if span == case.expected else "misplaced"


# Sentences.


def _fill(template: str, rng: random.Random, **given: str) -> str:
    slots = {
        "person": lambda: rng.choice(PEOPLE),
        "role": lambda: rng.choice(ROLES),
        "org": lambda: rng.choice(ORGS),
        "say": lambda: rng.choice(SAY),
        "when": lambda: rng.choice(WHEN),
        "later": lambda: rng.choice(LATER),
        "place": lambda: rng.choice(PLACES),
        "thing": lambda: rng.choice(THINGS),
        "trend": lambda: rng.choice(TRENDS),
        "action": lambda: rng.choice(ACTIONS),
        "object": lambda: rng.choice(OBJECTS),
        "group": lambda: rng.choice(GROUPS),
        "drug": lambda: rng.choice(DRUGS),
        "illness": lambda: rng.choice(ILLNESSES),
        "tax": lambda: rng.choice(TAXES),
        "month": lambda: rng.choice(MONTHS),
        "pct": lambda: f"{rng.randint(2, 40)}",
        "money": lambda: f"{rng.randint(2, 900)} million dollars",
        "count": lambda: f"{rng.randint(2, 90)},{rng.randint(100, 999)}",
        "year": lambda: f"{rng.randint(1995, 2023)}",
    }
    values = {name: make() for name, make in slots.items() if "{" + name + "}" in template}
    return _capitalise(template.format(**{**values, **given}))


def _capitalise(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:] if sentence else sentence


CLAUSES = [
    "{org} would {action} {object} {later}",
    "{thing} in {place} had {trend} by {pct} per cent",
    "{group} in {place} were worried about {object}",
    "{org} had spent {money} on {object}",
    "{count} {group} had signed a petition against {object}",
    "the decision on {object} would be taken {later}",
    "{thing} were the main concern of {group} in {place}",
    "{group} would pay more for {thing} {later}",
    "the plan for {place} had been rewritten twice",
]
# Sentences that carry a clause ({c}) may recur in an article; the others are used once each.
SENTENCES = [
    "{person}, {role}, {say} {when} that {c}.",
    "{org} {say} {when} that {c}.",
    "According to {org}, {c}.",
    "{c}, {person} said.",
    "Critics say {c}.",
    '"{q}," {person} said.',
    "{person} did not respond to a request for comment.",
    "The figures, published {when}, cover {place} and the region's towns.",
    "{group} in {place} have been waiting for {object} since {year}.",
    "The council's own survey suggests {c}.",
    "The announcement came {when}, days after protests in {place}.",
    "Turnout in {place} was the lowest in a decade.",
    "{person} is expected to address parliament {later}.",
    "The opposition called the plan a gamble with public money.",
    "Several {group} told this newspaper they had not been consulted.",
    "Prices for {thing} are reviewed every spring.",
]
RECURRING = 5


class _Writer:
    """Sentences for one article: a clause at most twice, a fixed sentence at most once, as in
    an article a person wrote."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.clauses: list[str] = []
        self.sentences: set[int] = set()

    def clause(self) -> str:
        choices = [t for t in CLAUSES if self.clauses.count(t) < 2] or CLAUSES
        template = self.rng.choice(choices)
        self.clauses.append(template)
        clause = _fill(template, self.rng)
        return clause[0].lower() + clause[1:]

    def sentence(self) -> str:
        choices = [i for i in range(len(SENTENCES)) if i < RECURRING or i not in self.sentences]
        form = self.rng.choice(choices)
        self.sentences.add(form)
        template = SENTENCES[form]
        given = {"c": self.clause()} if "{c}" in template else {}
        if "{q}" in template:
            given["q"] = _fill(self.rng.choice(SPOKEN), self.rng)
        return _fill(template, self.rng, **given)

    def paragraph(self) -> list[str]:
        return [self.sentence() for _ in range(self.rng.randint(2, 5))]

    def article(self) -> list[list[str]]:
        self.clauses, self.sentences = [], set()
        return [self.paragraph() for _ in range(self.rng.randint(4, 7))]


# Marked texts: the mention is between START and END.


def _render(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def _unmark(marked: str) -> tuple[str, tuple[int, int] | None]:
    start = marked.find(START)
    text = marked.replace(START, "").replace(END, "")
    if start < 0:
        return text, None
    return text, (start, marked.find(END) - 1)


def _case(family: str, old_marked: str, new_marked: str) -> Case:
    old_text, span = _unmark(old_marked)
    new_text, expected = _unmark(new_marked)
    return Case(family, old_text, anchor_at(old_text, *span), new_text, expected)


def _mark(sentence: str, start: int, end: int) -> str:
    return sentence[:start] + START + sentence[start:end] + END + sentence[end:]


def _word_spans(text: str) -> list[tuple[int, int]]:
    """Words with their own punctuation trimmed: a span starts and ends on a letter or digit."""
    spans = []
    for match in re.finditer(r"\S+", text):
        start, end = match.span()
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


def _mention_in(sentence: str, rng: random.Random) -> tuple[int, int]:
    """A span a researcher might select: the sentence, its clause, or a run of words."""
    words = _word_spans(sentence)
    choice = rng.random()
    if choice < 0.3:
        return 0, len(sentence)
    if choice < 0.45:
        return 0, words[-1][1]
    if choice < 0.6 and " that " in sentence:
        start = sentence.index(" that ") + len(" that ")
        if start < words[-1][1]:
            return start, words[-1][1]
    size = rng.randint(3, min(8, len(words)))
    first = rng.randrange(len(words) - size + 1)
    return words[first][0], words[first + size - 1][1]


# Typing slips.


def _slip(word: str, rng: random.Random) -> str:
    """The word with one slip of the keyboard: two letters swapped, one dropped or doubled."""
    for _ in range(20):
        i = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            slipped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == 1:
            slipped = word[:i] + word[i + 1 :]
        else:
            slipped = word[:i] + word[i] + word[i:]
        if slipped != word and slipped.lower() not in UNSLIPPABLE:
            return slipped
    return word[:-1]


def _slippable(word: str) -> bool:
    return len(word) >= 4 and word.isalpha() and word.lower() not in UNSLIPPABLE


def _slippable_inside(marked: str) -> bool:
    inside = marked[marked.index(START) : marked.index(END)]
    return any(_slippable(word) for word in re.findall(r"[^\W\d_]+", inside[1:]))


def _with_slip(marked: str, rng: random.Random, inside: bool) -> str:
    """The marked text with a slip in one word inside (or outside) the mention."""
    start, end = marked.index(START), marked.index(END)
    words = [
        m
        for m in re.finditer(r"[^\W\d_]+", marked)
        if _slippable(m.group()) and (start < m.start() and m.end() <= end) == inside
    ]
    if not inside:
        # Half the time in the mention's own sentence, where it touches its context.
        near = [m for m in words if abs(m.start() - start) < 60 or abs(m.end() - end) < 60]
        if near and rng.random() < 0.5:
            words = near
    word = rng.choice(words)
    return marked[: word.start()] + _slip(word.group(), rng) + marked[word.end() :]


# The adversarial families.


def _repeated_phrase(rng: random.Random) -> Case:
    phrase = rng.choice(PHRASES)
    paragraphs = _Writer(rng).article()
    uses = []
    for template in rng.sample(PHRASE_SENTENCES, rng.randint(3, 4)):
        sentence = _fill(template, rng, p=phrase)
        pi = rng.randrange(len(paragraphs))
        paragraphs[pi].insert(rng.randint(0, len(paragraphs[pi])), sentence)
        uses.append((pi, sentence))
    pi, chosen = rng.choice(uses)
    si = paragraphs[pi].index(chosen)
    at = chosen.index(phrase)
    paragraphs[pi][si] = _mark(chosen, at, at + len(phrase))
    old = _render(paragraphs)
    del paragraphs[pi][si]
    return _case("repeated-phrase", old, _render(paragraphs))


def _twin_number(number: int, rng: random.Random) -> int:
    while True:
        twin = rng.choice([number + rng.randint(-9, 9), int(str(number)[::-1])])
        if twin != number and twin > 1:
            return twin


def _near_duplicate_number(rng: random.Random) -> Case:
    paragraphs = _Writer(rng).article()
    predicate = rng.choice(COUNTED)
    unit = rng.choice(["million ", "thousand ", ""])
    number = rng.randint(12, 95)
    lead = rng.choice(COUNT_LEADS)
    twin_lead = lead if rng.random() < 0.5 else rng.choice(COUNT_LEADS)
    lead, twin_lead = _fill(lead, rng), _fill(twin_lead, rng)
    claim = _capitalise(f"{lead}{number} {unit}{predicate}.")
    twin = _capitalise(f"{twin_lead}{_twin_number(number, rng)} {unit}{predicate}.")
    words = _word_spans(claim)
    k = next(i for i, (s, _) in enumerate(words) if s == len(lead))  # the number
    start, end = rng.choice(
        [
            (0, len(claim)),  # the sentence
            (words[k][0], words[-1][1]),  # the count and what it counts
            (words[k][0], words[k + 1][1]),  # "45 million", "45 people"
            (words[k][0], words[k + 2][1]),
            (words[k + 1][0], words[-1][1]),  # what is counted, the number just before it
            (words[k + 2][0], words[-1][1]),
        ]
    )
    ci, ti = rng.randrange(len(paragraphs)), rng.randrange(len(paragraphs))
    paragraphs[ti].insert(rng.randint(0, len(paragraphs[ti])), twin)
    si = rng.randint(0, len(paragraphs[ci]))
    paragraphs[ci].insert(si, _mark(claim, start, end))
    old = _render(paragraphs)
    del paragraphs[ci][si]
    return _case("near-duplicate-number", old, _render(paragraphs))


def _claim_pair(rng: random.Random) -> tuple[str, str]:
    affirmed, negated = rng.choice(NEGATABLE)
    slots = {
        name: rng.choice(values)
        for name, values in [
            ("drug", DRUGS),
            ("illness", ILLNESSES),
            ("tax", TAXES),
            ("person", PEOPLE),
            ("org", ORGS),
            ("month", MONTHS),
        ]
    }
    return affirmed.format(**slots), negated.format(**slots)


def _span_at_change(claim: str, negated: str, rng: random.Random) -> tuple[int, int]:
    """The whole claim, or two to five of its words that cover or touch where its negation
    differs, or end or start with at most two words between them and that place."""
    if rng.random() < 0.2:
        return 0, len(claim)
    head = 0
    while claim[head] == negated[head]:
        head += 1
    tail = 0
    while claim[-1 - tail] == negated[-1 - tail]:
        tail += 1
    changed_from, changed_to = head, max(head, len(claim) - tail)
    words = _word_spans(claim)
    while True:
        a = rng.randrange(len(words) - 1)
        b = rng.randint(a + 2, min(len(words), a + 5))
        start, end = words[a][0], words[b - 1][1]
        if end < changed_from:
            between = sum(s >= end and e <= changed_from for s, e in words)
        elif start > changed_to:
            between = sum(s >= changed_to and e <= start for s, e in words)
        else:
            between = 0
        if between <= 2:
            return start, end


def _claim_sentence(claim: str, rng: random.Random) -> tuple[str, int]:
    lead = _fill(rng.choice(CLAIM_LEADS), rng)
    return _capitalise(lead + claim + "."), len(lead)


def _negation_in_place(rng: random.Random) -> Case:
    paragraphs = _Writer(rng).article()
    claim, negated = _claim_pair(rng)
    start, end = _span_at_change(claim, negated, rng)
    sentence, at = _claim_sentence(claim, rng)
    if at == 0:  # the claim begins the sentence, capitalised
        claim, negated = _capitalise(claim), _capitalise(negated)
    pi = rng.randrange(len(paragraphs))
    si = rng.randint(0, len(paragraphs[pi]))
    paragraphs[pi].insert(
        si, sentence[:at] + _mark(claim, start, end) + sentence[at + len(claim) :]
    )
    old = _render(paragraphs)
    paragraphs[pi][si] = sentence[:at] + negated + sentence[at + len(claim) :]
    return _case("negation-in-place", old, _render(paragraphs))


def _rebuttal_left(rng: random.Random) -> Case:
    paragraphs = _Writer(rng).article()
    claim, negated = _claim_pair(rng)
    start, end = _span_at_change(claim, negated, rng)
    sentence, at = _claim_sentence(claim, rng)
    if at == 0:
        claim = _capitalise(claim)
    marked = sentence[:at] + _mark(claim, start, end) + sentence[at + len(claim) :]
    rebuttal = _fill(rng.choice(REBUTTAL_LEADS), rng, claim=negated)
    ci = rng.randrange(len(paragraphs))
    paragraphs[ci].insert(rng.randint(0, len(paragraphs[ci])), marked)
    ri = rng.randrange(ci, len(paragraphs))
    low = paragraphs[ri].index(marked) + 1 if ri == ci else 0
    paragraphs[ri].insert(rng.randint(low, len(paragraphs[ri])), rebuttal)
    old = _render(paragraphs)
    paragraphs[ci].remove(marked)
    return _case("rebuttal-left", old, _render(paragraphs))


def _quote_box_copy(rng: random.Random) -> Case:
    writer = _Writer(rng)
    paragraphs = writer.article()
    while True:
        body = writer.sentence()
        words = _word_spans(body)
        if len(words) >= 7 and '"' not in body:
            break
    # The pull quote copies the sentence or its clause, as the body read before the fix.
    copy_from = 0
    if " that " in body and rng.random() < 0.4:
        copy_from = body.index(" that ") + len(" that ")
    copy_to = words[-1][1]
    copied = [(s, e) for s, e in words if s >= copy_from]
    slippable = [i for i, (s, e) in enumerate(copied) if _slippable(body[s:e])]
    if not slippable:
        return _quote_box_copy(rng)
    typo = rng.choice(slippable)
    # The mention: copied words with the typo among them, or beside it in the sentence.
    before, after = typo, len(copied) - typo - 1
    if rng.random() < 0.7 or max(before, after) < 2:
        a = rng.randint(max(0, typo - 5), typo)
        b = rng.randint(typo + 1, min(len(copied), a + 8))
    elif before >= after:
        a = rng.randint(0, typo - 2)
        b = rng.randint(a + 2, min(typo, a + 6))
    else:
        a = rng.randint(typo + 1, len(copied) - 2)
        b = rng.randint(a + 2, min(len(copied), a + 6))
    start, end = copied[a][0], copied[b - 1][1]
    ts, te = copied[typo]
    slipped = _slip(body[ts:te], rng)
    shift = len(slipped) - (te - ts)
    old_body = body[:ts] + slipped + body[te:]
    old_span = (start + shift if start > ts else start, end + shift if end > ts else end)
    box = rng.choice(
        [
            '"{copy}"',
            "\u201c{copy}\u201d",
            '"{copy}" - {person}',
            "\u201c{copy}\u201d \u2014 {person}",
        ]
    )
    box = _fill(box, rng, copy=_capitalise(old_body[copy_from : copy_to + shift]))
    pi = rng.randrange(len(paragraphs))
    si = rng.randint(0, len(paragraphs[pi]))
    pull = rng.randint(0, len(paragraphs))
    texts = []
    for sentence in (_mark(old_body, *old_span), _mark(body, start, end)):
        edited = [list(p) for p in paragraphs]
        edited[pi].insert(si, sentence)
        edited.insert(pull, [box])
        texts.append(_render(edited))
    return _case("quote-box-copy", *texts)


# Ordinary edits.


def _four_words(sentence: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", sentence.lower())
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def _ordinary_article(writer: _Writer, quoting: bool) -> tuple[list[list[str]], int, int]:
    """An article with a mention marked in one sentence (one with quotes or apostrophes when
    quoting, if there is one), and where that sentence is.

    No other sentence has four words in a row in common with the mention's: an article that
    repeats itself is the business of the adversarial families, where holding is right."""
    rng = writer.rng
    while True:
        paragraphs = writer.article()
        grams = {
            (pi, si): _four_words(s) for pi, p in enumerate(paragraphs) for si, s in enumerate(p)
        }
        seen = Counter(gram for found in grams.values() for gram in found)
        places = [at for at, found in grams.items() if all(seen[gram] == 1 for gram in found)]
        quoted = [(pi, si) for pi, si in places if re.search("[\"']", paragraphs[pi][si])]
        if places and (quoted or not quoting):
            break
    pi, si = rng.choice(quoted if quoting else places)
    paragraphs[pi][si] = _mark(paragraphs[pi][si], *_mention_in(paragraphs[pi][si], rng))
    return paragraphs, pi, si


def _unlike(make, sentence: str):
    """Something made anew until it has no four words in a row in common with the sentence."""
    mentioned = _four_words(sentence.replace(START, "").replace(END, ""))
    while True:
        made = make()
        sentences = made if isinstance(made, list) else [made]
        if not any(_four_words(s) & mentioned for s in sentences):
            return made


def _curly(marked: str) -> str:
    """Straight quotes and apostrophes made typographic, as a word processor does."""
    out = []
    for char in marked:
        before = next((c for c in reversed(out) if c not in (START, END)), " ")
        opening = before.isspace() or before in "([\u2014-"
        if char == '"':
            out.append("\u201c" if opening else "\u201d")
        elif char == "'":
            out.append("\u2018" if opening else "\u2019")
        else:
            out.append(char)
    return "".join(out).replace(" - ", " \u2013 ")


def _straight(marked: str) -> str:
    table = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
    return marked.translate(table).replace(" \u2013 ", " - ")


def _respaced(marked: str, rng: random.Random) -> str:
    """Spaces doubled, lines wrapped and paragraph breaks widened here and there."""
    out = []
    for piece in re.split(r"( |\n\n)", marked):
        if piece == " ":
            roll = rng.random()
            out.append(
                "  " if roll < 0.08 else "\n" if roll < 0.14 else "\u00a0" if roll < 0.16 else " "
            )
        elif piece == "\n\n":
            out.append(rng.choice(["\n\n", "\n\n\n", "\n \n", "\r\n\r\n"]))
        else:
            out.append(piece)
    return "".join(out)


def _ordinary(family: str, rng: random.Random) -> Case:
    writer = _Writer(rng)
    paragraphs, pi, si = _ordinary_article(writer, quoting=family == "quote-style")
    old = _render(paragraphs)
    mentioned = paragraphs[pi][si]
    if family == "paragraph-before":
        paragraphs.insert(rng.randint(0, pi), _unlike(writer.paragraph, mentioned))
    elif family == "paragraph-after":
        paragraphs.insert(
            rng.randint(pi + 1, len(paragraphs)), _unlike(writer.paragraph, mentioned)
        )
    elif family == "typo-inside":
        if not _slippable_inside(old):
            return _ordinary(family, rng)
        return _case(family, _with_slip(old, rng, inside=True), old)
    elif family == "typo-outside":
        return _case(family, _with_slip(old, rng, inside=False), old)
    elif family == "paragraphs-reordered":
        order = list(range(len(paragraphs)))
        while order == sorted(order):
            rng.shuffle(order)
        paragraphs = [paragraphs[i] for i in order]
    elif family == "quote-style":
        if rng.random() < 0.5:
            return _case(family, old, _curly(old))
        return _case(family, _curly(old), _straight(_curly(old)))
    elif family == "whitespace":
        return _case(family, old, _respaced(old, rng))
    elif family == "sentence-added":
        paragraphs[pi].insert(si + rng.randint(0, 1), _unlike(writer.sentence, mentioned))
    return _case(family, old, _render(paragraphs))


_BUILDERS = {
    "repeated-phrase": _repeated_phrase,
    "near-duplicate-number": _near_duplicate_number,
    "negation-in-place": _negation_in_place,
    "rebuttal-left": _rebuttal_left,
    "quote-box-copy": _quote_box_copy,
    **{family: (lambda rng, family=family: _ordinary(family, rng)) for family in ORDINARY},
}
