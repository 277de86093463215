"""The provider's RSA signing keys, kept as PEM files in one directory outside the repository.

The newest key signs; older keys stay published in the JWKS until every ID token they
signed has expired. After that they still check the ID tokens services send back as
hints (a service's session outlives the hour its ID token is valid), until ``rotate``
deletes them. File names sort by creation time, so the directory itself is the key ring:
no database, readable by every process of the site.
No Django here, so the settings module can load the ring before Django starts.
"""

import datetime
import itertools
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from solhost.core.files import folder_locked, write_new

KEY_BITS = 2048
STAMP = "%Y%m%dT%H%M%S%fZ"
PREFIX = "rsa-"
SUFFIX = ".pem"


@dataclass(frozen=True)
class KeyFile:
    path: Path
    created: datetime.datetime


@dataclass(frozen=True)
class KeyRing:
    active: KeyFile
    # Retired keys whose ID tokens may still be valid: published, never used to sign.
    retired: list[KeyFile]
    # Retired longer ago: no longer published, but an ID token they signed still names
    # its session when a service sends it back as a hint.
    hint_checking: list[KeyFile]

    def active_pem(self) -> str:
        return self.active.path.read_text()

    def retired_pems(self) -> list[str]:
        return [key.path.read_text() for key in self.retired]

    def hint_checking_pems(self) -> list[str]:
        return [key.path.read_text() for key in self.hint_checking]


def key_files(directory: Path) -> list[KeyFile]:
    """Every key in the directory, oldest first."""
    if not directory.is_dir():
        return []
    keys = []
    for path in directory.glob(f"{PREFIX}*{SUFFIX}"):
        stamp = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        created = datetime.datetime.strptime(stamp, STAMP).replace(tzinfo=datetime.UTC)
        keys.append(KeyFile(path, created))
    return sorted(keys, key=lambda key: key.created)


def new_private_pem() -> bytes:
    """A new RSA private key of the region's size, as unencrypted PKCS #8 PEM."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def generate_key(directory: Path, *, now: datetime.datetime) -> KeyFile:
    """A new private key, written so only the site's own user can read it."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    pem = new_private_pem()
    created = now.astimezone(datetime.UTC)
    path = directory / f"{PREFIX}{created.strftime(STAMP)}{SUFFIX}"
    # A new name only: never overwrite a key that tokens were signed with.
    write_new(path, pem)
    return KeyFile(path, created)


def still_published(
    keys: list[KeyFile], *, now: datetime.datetime, keep: datetime.timedelta
) -> list[KeyFile]:
    """The retired keys (all but the newest) that signed tokens which may not have expired yet.

    A key stops signing when the next one is created, so its last token expires ``keep``
    after its successor's creation.
    """
    return [key for key, successor in itertools.pairwise(keys) if successor.created + keep > now]


def load_key_ring(
    directory: Path,
    *,
    now: datetime.datetime,
    keep: datetime.timedelta,
    hints_keep: datetime.timedelta,
) -> KeyRing:
    """The ring in the directory; its first key is generated when there is none.

    ``keep`` is how long an ID token lives, and ``hints_keep`` how long after a key's
    retirement an ID token it signed is still read as a hint (at least ``keep``).
    """
    keys = key_files(directory)
    if not keys:
        # Workers starting together on a new installation must sign with one key, the one
        # their JWKS publishes: the first to hold the lock makes it, the others find it.
        with folder_locked(directory):
            keys = key_files(directory) or [generate_key(directory, now=now)]
    retired = still_published(keys, now=now, keep=keep)
    hint_checking = [
        key for key in still_published(keys, now=now, keep=hints_keep) if key not in retired
    ]
    return KeyRing(active=keys[-1], retired=retired, hint_checking=hint_checking)


def rotate(
    directory: Path, *, now: datetime.datetime, keep: datetime.timedelta
) -> tuple[KeyFile, list[KeyFile]]:
    """Add a new signing key and delete the keys retired longer than ``keep`` ago: no
    token or hint they signed is read any more (``keep`` is load_key_ring's ``hints_keep``).

    Returns the new key and the deleted ones.
    """
    new = generate_key(directory, now=now)
    keys = key_files(directory)
    published = {key.path for key in still_published(keys, now=now, keep=keep)}
    removed = [key for key in keys[:-1] if key.path not in published]
    for key in removed:
        key.path.unlink()
    return new, removed
