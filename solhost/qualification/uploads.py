"""What an uploaded evidence file really is, judged from its bytes. Pure: no Django.

The name and the content type a browser sends are only claims. A file is accepted when
its first bytes say it is a PDF, PNG or JPEG, or when it is UTF-8 text (plain or CSV),
when it is complete (a PDF ends with ``%%EOF``, a PNG with its ``IEND`` chunk, a JPEG
with its end-of-image marker), and when what the browser claimed agrees with the bytes.
"""

import codecs
from dataclasses import dataclass
from typing import Final

from solhost.core.problems import InputProblems

PDF: Final = "application/pdf"
PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
TEXT: Final = "text/plain"
CSV: Final = "text/csv"

ACCEPTED: Final = (PDF, PNG, JPEG, TEXT, CSV)
EXTENSIONS: Final = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".txt": TEXT,
    ".text": TEXT,
    ".csv": CSV,
}
# What browsers send for the same kinds of file.
CLAIM_ALIASES: Final = {
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "application/csv": CSV,
    "text/comma-separated-values": CSV,
    "application/vnd.ms-excel": CSV,
}
NAMES: Final = {PDF: "PDF", PNG: "PNG image", JPEG: "JPEG image", TEXT: "text", CSV: "CSV"}

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
PNG_END: Final = b"IEND\xaeB`\x82"
JPEG_START: Final = b"\xff\xd8\xff"
JPEG_END: Final = b"\xff\xd9"


class UploadError(InputProblems):
    """A file that is refused; ``problems`` holds one ``("file", message)`` pair."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    size_bytes: int


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(content, final=True)
    except UnicodeDecodeError:
        return False
    return True


def _kind_of(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(PNG_SIGNATURE):
        return PNG
    if content.startswith(JPEG_START):
        return JPEG
    if _is_text(content):
        return TEXT
    return None


def _complete(kind: str, content: bytes) -> bool:
    if kind == PDF:
        return b"%%EOF" in content[-1024:]
    if kind == PNG:
        return content.rstrip(b"\x00").endswith(PNG_END)
    if kind == JPEG:
        return content.rstrip(b"\x00").endswith(JPEG_END)
    return True


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def sniff_upload(content: bytes, *, name: str, claimed_type: str, max_bytes: int) -> Sniffed:
    """Judge an upload from its bytes; the content type it gets is the one its bytes show.

    Raises:
        UploadError saying why the file is refused.
    """
    if not content:
        raise UploadError([("file", "is empty")])
    if len(content) > max_bytes:
        raise UploadError(
            [("file", f"is {len(content):,} bytes; the limit is {max_bytes:,} bytes")]
        )
    kind = _kind_of(content)
    if kind is None:
        raise UploadError(
            [("file", "is not a PDF, PNG, JPEG, plain text or CSV file (judged from its content)")]
        )
    if not _complete(kind, content):
        raise UploadError([("file", f"is a broken or truncated {NAMES[kind]}")])
    by_name = EXTENSIONS.get(_extension(name))
    if by_name is None:
        raise UploadError(
            [
                (
                    "file",
                    f"has a name ending in {_extension(name) or 'nothing'}; use .pdf, .png, .jpg, .txt or .csv",
                )
            ]
        )
    if kind == TEXT and by_name == CSV:
        kind = CSV
    claim = claimed_type.split(";")[0].strip().lower()
    claim = CLAIM_ALIASES.get(claim, claim)
    text_kinds = {TEXT, CSV}
    claim_agrees = claim in ("", "application/octet-stream", kind) or (
        kind in text_kinds and claim in text_kinds
    )
    if by_name != kind or not claim_agrees:
        raise UploadError(
            [
                (
                    "file",
                    f"claims to be {NAMES.get(by_name, by_name)} ({claim or 'no type'}) "
                    f"but its content is {NAMES[kind]}",
                )
            ]
        )
    return Sniffed(kind, len(content))
