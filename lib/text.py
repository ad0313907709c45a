"""Text the database can hold: no NUL, no lone surrogates, no other non-characters (pure)."""

import re

# NUL breaks PostgreSQL text; lone surrogates cannot be encoded as UTF-8; U+FFFE and U+FFFF are
# not characters. Everything else Unicode allows is kept as typed.
INVALID_CODE_POINT = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")


def invalid_code_point(text: str) -> str:
    """A message naming the first code point the database cannot store, or ''."""
    if found := INVALID_CODE_POINT.search(text):
        return (
            f"The text holds a character that cannot be stored (U+{ord(found.group()):04X}, "
            f"at position {found.start()}); remove it and try again."
        )
    return ""


def shorten(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
