"""The provider's RSA signing keys, kept as PEM files in one directory outside the repository.

The newest key signs; older keys stay published in the JWKS until every ID token they
signed has expired, then ``rotate`` deletes them. File names sort by creation time, so the
directory itself is the key ring: no database, readable by every process of the site.
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

    def active_pem(self) -> str:
        return self.active.path.read_text()

    def retired_pems(self) -> list[str]:
        return [key.path.read_text() for key in self.retired]


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


def load_key_ring(directory: Path, *, now: datetime.datetime, keep: datetime.timedelta) -> KeyRing:
    """The ring in the directory; its first key is generated when there is none."""
    keys = key_files(directory)
    if not keys:
        # Workers starting together on a new installation must sign with one key, the one
        # their JWKS publishes: the first to hold the lock makes it, the others find it.
        with folder_locked(directory):
            keys = key_files(directory) or [generate_key(directory, now=now)]
    return KeyRing(active=keys[-1], retired=still_published(keys, now=now, keep=keep))


def rotate(
    directory: Path, *, now: datetime.datetime, keep: datetime.timedelta
) -> tuple[KeyFile, list[KeyFile]]:
    """Add a new signing key and delete the keys no unexpired token can refer to.

    Returns the new key and the deleted ones.
    """
    new = generate_key(directory, now=now)
    keys = key_files(directory)
    published = {key.path for key in still_published(keys, now=now, keep=keep)}
    removed = [key for key in keys[:-1] if key.path not in published]
    for key in removed:
        key.path.unlink()
    return new, removed
