"""A selected fragment of an article, tidied into the sentence a claim is written as."""

# Opening mark -> the closing marks that pair with it (German „…“ closes with “).
PAIRS = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "»": "«",
    '"': '"',
    "‘": "’",
    "'": "'",
}
# Double quotes and guillemets are never apostrophes, so one left at either end alone is stray.
STRAY_WHEN_ALONE = '“”„«»"'
FINAL_PUNCTUATION = ".!?…"
# A sentence may end after its full stop with a closing quote or bracket: "… rose.”"
AFTER_FINAL = "”’\"')]»"
DANGLING = ",;:–—-"


def _strip_quotes(text: str) -> str:
    first, last = text[:1], text[-1:]
    if len(text) > 1 and first in PAIRS and last in PAIRS[first]:
        return text[1:-1].strip()
    if first in STRAY_WHEN_ALONE and not any(mark in text[1:] for mark in PAIRS.get(first, "")):
        text = text[1:].lstrip()
    last = text[-1:]
    if last in STRAY_WHEN_ALONE and not any(
        opener in text[:-1] for opener, closers in PAIRS.items() if last in closers
    ):
        text = text[:-1].rstrip()
    return text


def _has_final_punctuation(text: str) -> bool:
    bare = text.rstrip(AFTER_FINAL)
    return bool(bare) and bare[-1] in FINAL_PUNCTUATION


def _capitalised(text: str) -> str:
    """The first letter in upper case, past any opening punctuation; a name like eBay is kept."""
    for at, char in enumerate(text):
        if char.isalnum():
            word = text[at:].split(" ", 1)[0]
            if char.isalpha() and not any(letter.isupper() for letter in word[1:]):
                return text[:at] + char.upper() + text[at + 1 :]
            return text
    return text


def as_sentence(fragment: str) -> str:
    """The fragment as a sentence: one line, no surrounding quotes, capitalised, punctuated.

    Nothing beyond the fragment is added but its full stop: a selection made inside a sentence
    is the claim the researcher chose, not the whole sentence around it.
    """
    text = " ".join(fragment.split())
    text = _strip_quotes(text)
    text = text.rstrip(DANGLING + " ")
    if not text:
        return ""
    text = _capitalised(text)
    if not _has_final_punctuation(text):
        text += "."
    return text
