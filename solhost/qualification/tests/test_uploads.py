import pytest

from solhost.qualification.tests.helpers import JPEG, PDF, png
from solhost.qualification.uploads import CSV, PNG, TEXT, UploadError, sniff_upload
from solhost.qualification.uploads import PDF as PDF_TYPE

LIMIT = 10_000


def judge(content: bytes, name: str, claimed: str = "", limit: int = LIMIT):
    return sniff_upload(content, name=name, claimed_type=claimed, max_bytes=limit)


@pytest.mark.parametrize(
    ("content", "name", "claimed", "expected"),
    [
        (PDF, "rules.pdf", "application/pdf", PDF_TYPE),
        (png(), "photo.png", "image/png", PNG),
        (JPEG, "photo.JPG", "image/jpg", "image/jpeg"),
        (b"Name,Union\nAlex,Yes\n", "members.csv", "application/vnd.ms-excel", CSV),
        ("Plain words, ünïcode too.".encode(), "note.txt", "text/plain", TEXT),
        (PDF, "rules.pdf", "", PDF_TYPE),
    ],
)
def test_accepts_files_whose_bytes_match_their_name_and_type(content, name, claimed, expected):
    assert judge(content, name, claimed).content_type == expected


@pytest.mark.parametrize(
    ("content", "name", "claimed", "message"),
    [
        (
            png(),
            "rules.pdf",
            "application/pdf",
            "claims to be PDF (application/pdf) but its content is PNG image",
        ),
        (
            PDF,
            "photo.png",
            "image/png",
            "claims to be PNG image (image/png) but its content is PDF",
        ),
        (PDF, "rules.pdf", "image/png", "claims to be PDF (image/png) but its content is PDF"),
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
            "setup.pdf",
            "application/pdf",
            "is not a PDF, PNG, JPEG",
        ),
        (
            b"<html><script>alert(1)</script>",
            "page.html",
            "text/html",
            "has a name ending in .html",
        ),
        (PDF[:-8], "rules.pdf", "application/pdf", "is a broken or truncated PDF"),
        (png()[:-6], "photo.png", "image/png", "is a broken or truncated PNG image"),
        (JPEG[:-2], "photo.jpg", "image/jpeg", "is a broken or truncated JPEG image"),
        (b"", "empty.txt", "text/plain", "is empty"),
        (b"a" * (LIMIT + 1), "big.txt", "text/plain", "is 10,001 bytes; the limit is 10,000 bytes"),
        (b"caf\xe9", "latin1.txt", "text/plain", "is not a PDF, PNG, JPEG"),
    ],
)
def test_refuses_forged_broken_and_oversized_files(content, name, claimed, message):
    with pytest.raises(UploadError) as error:
        judge(content, name, claimed)
    assert message in error.value.problems[0][1]
