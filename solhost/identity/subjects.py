"""The ``sub`` a service receives for a resident: public, or pairwise for its co-op.

A client with the public subject type gets the resident's own ``User.sub``. A pairwise
client gets an identifier of its sector: every service of one organisation (co-op) shares
a sector, so a co-op's services agree on a resident while two co-ops cannot match theirs.

The pairwise identifier is the public sub enciphered with the sector's key (AES, one
block: a keyed permutation of the 128 bits), shown as a UUID. It is stable, looks random
to anyone without the key, and the platform reverses it without a table: deciphering
gives the public sub back (docs/decisions/0009-pairwise-subjects.md). The sector's key is
HMAC-SHA256 of the region's pairwise secret over the sector identifier; the secret is a
file beside the signing keys, never rotated, because a new one would change every
pairwise sub every service stores.

A session's ``sid`` is shown to each co-op the same way, under a key of its own (the
sector's "sessions"): in ID tokens, logout tokens and front-channel addresses. One
browser session signed in to two co-ops' services would otherwise carry one ``sid`` to
both, and link the two pairwise subs exactly.
"""

import functools
import hashlib
import hmac
import secrets
import uuid
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

from solhost.core.files import read_or_create
from solhost.identity.models import ServiceClient, User

KEY_FILE_NAME = "pairwise-subject.key"
KEY_BYTES = 32
# Versioned, so a future scheme can't produce the same keys.
KEY_LABEL = b"solhost pairwise subject v1:"


def sector_of(client: ServiceClient) -> str:
    """The sector a client's pairwise subs belong to: the organisation running its service.

    The organisation's primary key, not its slug: a renamed co-op keeps its residents' subs.
    """
    return organisation_sector(client.service.organisation_id)


def organisation_sector(organisation_id: int) -> str:
    return f"organisation:{organisation_id}"


def pairwise_key_file() -> Path:
    """Where the region's pairwise secret is kept (made at the first pairwise sub).

    Backups carry it: without it, every pairwise sub every service stores would change.
    """
    return Path(settings.OIDC_KEY_DIR) / KEY_FILE_NAME


@functools.cache
def _secret(directory: Path) -> bytes:
    path = directory / KEY_FILE_NAME
    # Two processes starting together both use whichever secret was written first.
    secret = read_or_create(path, lambda: secrets.token_bytes(KEY_BYTES))
    if len(secret) != KEY_BYTES:
        raise RuntimeError(f"{path} must hold {KEY_BYTES} bytes; restore it from a backup")
    return secret


def _sector_cipher(sector: str) -> Cipher:
    secret = _secret(Path(settings.OIDC_KEY_DIR))
    key = hmac.new(secret, KEY_LABEL + sector.encode(), hashlib.sha256).digest()[:16]
    # One 16-byte block under a key of its own: ECB is exactly the block cipher, a
    # permutation, which is what makes the identifier reversible without a table.
    return Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305


def pairwise_sub(public_sub: uuid.UUID, sector: str) -> uuid.UUID:
    encryptor = _sector_cipher(sector).encryptor()
    return uuid.UUID(bytes=encryptor.update(public_sub.bytes) + encryptor.finalize())


def public_sub_behind(pairwise: uuid.UUID, sector: str) -> uuid.UUID:
    """The public sub that ``pairwise`` stands for in ``sector`` (any UUID maps to one)."""
    decryptor = _sector_cipher(sector).decryptor()
    return uuid.UUID(bytes=decryptor.update(pairwise.bytes) + decryptor.finalize())


def subject_for(user: User, client: ServiceClient) -> str:
    """The ``sub`` this client receives for ``user``, in ID tokens, userinfo and logout tokens."""
    if client.subject_type == ServiceClient.SubjectType.PUBLIC:
        return str(user.sub)
    return str(pairwise_sub(user.sub, sector_of(client)))


def _sessions_sector(client: ServiceClient) -> str:
    # Every client's, public subject or not: a sid links nothing a co-op's sub doesn't.
    return f"{sector_of(client)}:sessions"


def sid_for(sid: uuid.UUID | str, client: ServiceClient) -> str:
    """The ``sid`` this client's co-op sees for the session the region knows as ``sid``."""
    return str(pairwise_sub(uuid.UUID(str(sid)), _sessions_sector(client)))


def session_sid_behind(given: str, client: ServiceClient) -> uuid.UUID | None:
    """The region's own sid of the session a client's ``sid`` names; None for no UUID."""
    try:
        return public_sub_behind(uuid.UUID(given), _sessions_sector(client))
    except ValueError:
        return None


def user_for_subject(subject: str, client: ServiceClient) -> User | None:
    """The resident a client's ``sub`` names, or None: the platform's way back from a sub."""
    try:
        given = uuid.UUID(subject)
    except ValueError:
        return None
    if client.subject_type == ServiceClient.SubjectType.PAIRWISE:
        given = public_sub_behind(given, sector_of(client))
    return User.objects.filter(sub=given).first()
