"""The provider's RSA signing keys, kept as PEM files in one directory outside the repository.

A key's file name is the time it starts signing. A rotation names the new key a notice
period ahead (a day by default): until then the JWKS publishes it beside the key that
signs, so a service that cached the JWKS (an hour, or longer than it should) already
holds the key when the first token it signed arrives; at a site of several, the steward
has the day to register the site's new key at the primary. From that time the new key
signs; the one before stays published until every ID token it signed has expired, then
still checks the ID tokens services send back as hints (a service's session outlives the
hour its ID token is valid), until a later rotation deletes it.

The directory itself is the key ring: no database, readable by every process of the site,
and read again whenever its files change or a key's time comes, so a rotation reaches
every process with no restart. No Django here, so the settings module can load the ring
before Django starts.
"""

import datetime
import itertools
import json
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk

from solhost.core.files import folder_locked, write_new

KEY_BITS = 2048
STAMP = "%Y%m%dT%H%M%S%fZ"
PREFIX = "rsa-"
SUFFIX = ".pem"


# What a key is for, in the words every listing of keys uses (``oidc-keys list``, the
# steward's sites page, ``sites status``). An upcoming key's time follows its words.
SIGNS_NOW = "signs now"
SIGNS_FROM = "published, signs from"
RETIRED_PUBLISHED = "retired, published while its ID tokens last"
RETIRED_READS_HINTS = "retired, reads services' logout hints"
RETIRED_UNUSED = "retired, read no more (the next rotation deletes it)"


class KeyAlreadyComing(Exception):
    """A rotation while the key of the last one has not begun to sign yet."""


@dataclass(frozen=True)
class KeyFile:
    path: Path
    signs_from: datetime.datetime

    @cached_property
    def pem(self) -> str:
        return self.path.read_text()

    @cached_property
    def private_jwk(self) -> jwk.JWK:
        return jwk.JWK.from_pem(self.pem.encode())

    @cached_property
    def public_jwk(self) -> dict:
        """The public half as the JWKS lists it, named by its RFC 7638 thumbprint."""
        return {
            "alg": "RS256",
            "use": "sig",
            "kid": self.private_jwk.thumbprint(),
            **json.loads(self.private_jwk.export_public()),
        }


@dataclass(frozen=True)
class KeyRing:
    # The key that signs.
    active: KeyFile
    # Rotated in, not signing yet: published, so services hold it before its first token.
    upcoming: list[KeyFile]
    # Retired keys whose ID tokens may still be valid: published, never used to sign.
    retired: list[KeyFile]
    # Retired longer ago: no longer published, but an ID token they signed still names
    # its session when a service sends it back as a hint.
    hint_checking: list[KeyFile]
    # The next moment the ring changes with time alone (a key begins to sign, or leaves
    # the JWKS or the hints); None when nothing is due.
    changes_at: datetime.datetime | None

    def published(self) -> list[KeyFile]:
        """The keys the JWKS lists, the active one first."""
        return [self.active, *self.upcoming, *self.retired]

    def published_roles(self) -> list[tuple[KeyFile, str]]:
        """The keys the JWKS lists, as ``published`` orders them, each with what it is for."""
        return [
            (self.active, SIGNS_NOW),
            *((key, SIGNS_FROM) for key in self.upcoming),
            *((key, RETIRED_PUBLISHED) for key in self.retired),
        ]

    def roles(self) -> list[tuple[KeyFile, str]]:
        """Every key the ring reads, each with what it is for."""
        return [
            *self.published_roles(),
            *((key, RETIRED_READS_HINTS) for key in self.hint_checking),
        ]

    def published_key(self, kid: str) -> KeyFile | None:
        """The published key named ``kid``, if there is one."""
        return next((key for key in self.published() if key.public_jwk["kid"] == kid), None)


def _key_paths(directory: Path) -> list[Path]:
    # A missing directory holds no key (glob finds nothing there).
    return list(directory.glob(f"{PREFIX}*{SUFFIX}"))


def key_files(directory: Path) -> list[KeyFile]:
    """Every key in the directory, by the time it signs from, earliest first."""
    keys = []
    for path in _key_paths(directory):
        stamp = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        signs_from = datetime.datetime.strptime(stamp, STAMP).replace(tzinfo=datetime.UTC)
        keys.append(KeyFile(path, signs_from))
    return sorted(keys, key=lambda key: key.signs_from)


def new_private_pem() -> bytes:
    """A new RSA private key of the region's size, as unencrypted PKCS #8 PEM."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def generate_key(directory: Path, *, signs_from: datetime.datetime) -> KeyFile:
    """A new private key that signs from ``signs_from``, written so only the site's own
    user can read it."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    pem = new_private_pem()
    signs_from = signs_from.astimezone(datetime.UTC)
    path = directory / f"{PREFIX}{signs_from.strftime(STAMP)}{SUFFIX}"
    # A new name only: never overwrite a key that tokens were signed with.
    write_new(path, pem)
    return KeyFile(path, signs_from)


def ring_at(
    keys: list[KeyFile],
    *,
    now: datetime.datetime,
    keep: datetime.timedelta,
    hints_keep: datetime.timedelta,
) -> KeyRing:
    """What each of ``keys`` (at least one, earliest first) is for at ``now``.

    A key stops signing when the next one starts, so its last ID token expires ``keep``
    after its successor's start, and ``hints_keep`` after that start it reads no hint.
    """
    # Before the first key's time there is no other key to sign with.
    signing = [key for key in keys if key.signs_from <= now] or keys[:1]
    upcoming = [key for key in keys if key not in signing]
    handovers = [(key, successor.signs_from) for key, successor in itertools.pairwise(signing)]
    retired = [key for key, handover in handovers if handover + keep > now]
    hint_checking = [
        key for key, handover in handovers if handover + keep <= now < handover + hints_keep
    ]
    due = [key.signs_from for key in upcoming] + [
        moment
        for _, handover in handovers
        for moment in (handover + keep, handover + hints_keep)
        if moment > now
    ]
    return KeyRing(
        active=signing[-1],
        upcoming=upcoming,
        retired=retired,
        hint_checking=hint_checking,
        changes_at=min(due, default=None),
    )


def load_key_ring(
    directory: Path,
    *,
    now: datetime.datetime,
    keep: datetime.timedelta,
    hints_keep: datetime.timedelta,
) -> KeyRing:
    """The ring in the directory at ``now``; its first key is generated when there is none.

    ``keep`` is how long an ID token lives, and ``hints_keep`` how long after a key's
    retirement an ID token it signed is still read as a hint (at least ``keep``).
    """
    return ring_at(_keys_or_first(directory, now=now), now=now, keep=keep, hints_keep=hints_keep)


def _keys_or_first(directory: Path, *, now: datetime.datetime) -> list[KeyFile]:
    keys = key_files(directory)
    if not keys:
        # Workers starting together on a new installation must sign with one key, the one
        # their JWKS publishes: the first to hold the lock makes it, the others find it.
        with folder_locked(directory):
            keys = key_files(directory) or [generate_key(directory, signs_from=now)]
    return keys


@dataclass
class KeyRingReader:
    """The ring in ``directory`` as it stands whenever asked, for a long-running process.

    Read again only when the directory's key files change (a rotation, a deletion) or
    the moment the ring last gave as ``changes_at`` has come, so each process signs with
    the key the directory says, from the second it says, with no restart.
    """

    directory: Path
    keep: datetime.timedelta
    hints_keep: datetime.timedelta
    _read: tuple[frozenset[str], KeyRing] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ring(self, *, now: datetime.datetime) -> KeyRing:
        names = frozenset(path.name for path in _key_paths(self.directory))
        read = self._read
        if read is None or read[0] != names or _due(read[1], now):
            with self._lock:
                keys = _keys_or_first(self.directory, now=now)
                ring = ring_at(keys, now=now, keep=self.keep, hints_keep=self.hints_keep)
                # The ring was read with these files: a file added since the glob above is
                # seen on the next call.
                read = (frozenset(key.path.name for key in keys), ring)
                self._read = read
        return read[1]


def _due(ring: KeyRing, now: datetime.datetime) -> bool:
    return ring.changes_at is not None and now >= ring.changes_at


def rotate(
    directory: Path,
    *,
    now: datetime.datetime,
    notice: datetime.timedelta,
    hints_keep: datetime.timedelta,
) -> tuple[KeyFile, list[KeyFile]]:
    """Add a key that signs ``notice`` from now (at once in a directory with none), and
    delete the keys retired more than ``hints_keep`` ago: no token or hint they signed is
    read any more (``hints_keep`` is load_key_ring's).

    Raises ``KeyAlreadyComing`` while the last rotation's key has not begun to sign: a
    second key would leave the first a moment's use, published for nothing.
    Returns the new key and the deleted ones.
    """
    with folder_locked(directory):
        keys = key_files(directory)
        coming = [key for key in keys if key.signs_from > now]
        if coming:
            raise KeyAlreadyComing(
                f"{coming[-1].path.name} is published and signs from "
                f"{coming[-1].signs_from:%Y-%m-%d %H:%M} UTC; rotate again after that"
            )
        new = generate_key(directory, signs_from=now + notice if keys else now)
        kept = ring_at([*keys, new], now=now, keep=hints_keep, hints_keep=hints_keep)
        removed = [key for key in keys if key not in kept.published()]
        _delete(removed)
    return new, removed


def replace_all(directory: Path, *, now: datetime.datetime) -> tuple[KeyFile, list[KeyFile]]:
    """A new key that signs at once, every other key deleted: for a ring that may have been
    copied. Nothing an earlier key signed verifies, or names a session as a hint, any more.

    Returns the new key and the deleted ones.
    """
    with folder_locked(directory):
        withdrawn = key_files(directory)
        new = generate_key(directory, signs_from=now)
        _delete(withdrawn)
    return new, withdrawn


def _delete(keys: list[KeyFile]) -> None:
    for key in keys:
        # Read first, so what is returned can still say which keys went (their kids).
        key.public_jwk  # noqa: B018
        key.path.unlink()


def rotation_due(ring: KeyRing, *, now: datetime.datetime, every: datetime.timedelta) -> bool:
    """Whether a scheduled rotation is due: the signing key has signed for ``every``, and
    no key a rotation added is waiting to sign."""
    return not ring.upcoming and ring.active.signs_from + every <= now
