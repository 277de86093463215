"""Small files and declarations for the qualification tests."""

import datetime
import zlib

from solhost.qualification.models import Declarations

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TODAY = datetime.date(2026, 11, 1)


def complete_declarations(organisation) -> Declarations:
    return Declarations.objects.create(
        organisation=organisation,
        pay_ratio_plan="Everyone earns the same hourly rate.",
        union_workers=3,
        union_members=3,
        union_description="All members of Professionals Australia.",
        commons_stewardship="Users are members with a vote; a solidarity tier is free.",
        data_return="Exports by email link 90 days before.",
        user_migration="Another partner takes over accounts.",
        infrastructure_handover="Servers offered to community groups.",
    )
