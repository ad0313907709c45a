"""Turn uploaded or fetched bytes into an article's canonical text and metadata."""

import datetime
from dataclasses import dataclass

import nh3
import trafilatura
from django.conf import settings

from lib.text import invalid_code_point, shorten


def max_bytes() -> int:
    """The largest document read (settings.DOCUMENT_MAX_BYTES): an article page, not a book."""
    return settings.DOCUMENT_MAX_BYTES


def in_megabytes(size: int) -> str:
    """A size for people: "5 MB", "2.4 MB", or kilobytes below one megabyte."""
    value, unit = (size / 1_048_576, "MB") if size >= 1_048_576 else (size / 1024, "KB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


class ExtractionError(ValueError):
    """The input cannot become an article; the message says why, for the user."""


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str = ""
    authors: str = ""
    published_on: datetime.date | None = None
    url: str = ""
    html: str = ""  # sanitised; empty for plain text


def size_message(size: int, what: str = "file") -> str:
    return f"The {what} is {in_megabytes(size)}; the limit is {in_megabytes(max_bytes())}."


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM) or refuse; binary files are refused."""
    if len(data) > max_bytes():
        raise ExtractionError(size_message(len(data)))
    if b"\x00" in data[:8192]:
        raise ExtractionError("This looks like a binary file, not text or HTML.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExtractionError(
            f"The file is not valid UTF-8 (bad byte at position {error.start}). "
            "Save it as UTF-8 and try again."
        ) from error
    if problem := invalid_code_point(text):  # a NUL past the first 8 KB, say
        raise ExtractionError(problem)
    return text


def normalise_text(text: str) -> str:
    """One canonical form: Unix line ends, no trailing spaces, no blank lines at either end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


HEADLINE_MAX_CHARS = 200


def from_plain_text(text: str) -> Extracted:
    text = normalise_text(text)
    if not text.strip():
        raise ExtractionError("The article has no text.")
    # A pasted article usually starts with its headline; a long first line is a paragraph.
    first_line = text.strip().split("\n", 1)[0].strip()
    title = first_line if len(first_line) <= HEADLINE_MAX_CHARS else ""
    return Extracted(text=text, title=title)


def from_html(html: str, url: str = "") -> Extracted:
    """Readable text and metadata from a page; scripts, styles and handlers never survive."""
    extraction = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False
    )
    document = extraction.as_dict() if extraction is not None else {}
    text = normalise_text(document.get("text") or "")
    if not text.strip():
        raise ExtractionError("No readable article text was found in this HTML.")
    published = document.get("date") or ""
    try:
        published_on = datetime.date.fromisoformat(published[:10]) if published else None
    except ValueError:
        published_on = None
    return Extracted(
        text=text,
        title=shorten(document.get("title") or "", 500),
        authors=shorten(document.get("author") or "", 500),
        published_on=published_on,
        url=document.get("url") or url,
        html=nh3.clean(html),
    )


def from_upload(name: str, data: bytes) -> Extracted:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in {"html", "htm", "txt"}:
        raise ExtractionError("Upload an .html or .txt file.")
    content = decode(data)
    return from_html(content) if suffix in {"html", "htm"} else from_plain_text(content)
