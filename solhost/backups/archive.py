"""The backup archive: a tar of named members with a ``manifest.json`` that vouches for them.

The manifest lists each member's sha256, size and mode, so an archive is checked in full
before anything is restored from it. Members are written first and the manifest last, each
member hashed as it goes into the tar, so the checksums describe the bytes stored. No
Django here: plain paths and dictionaries in and out.
"""

import datetime
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "solhost-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# A name ``solhost backup`` without a path (and the scheduled job) gives its archives; only
# files with such a name are ever deleted by retention.
SCHEDULED_NAME = re.compile(r"solhost-backup-\d{8}T\d{6}Z\.tar\.gz")
STAMP = "%Y%m%dT%H%M%SZ"
SUFFIXES = {".tar": False, ".tar.gz": True, ".tgz": True}
_CHUNK = 1024 * 1024


class ArchiveProblem(Exception):
    """The archive can't be trusted or used; the message says what and where."""


@dataclass(frozen=True)
class Member:
    """A file to store under ``name`` in the archive, with the mode it is restored with."""

    name: str
    source: Path
    mode: int


def scheduled_name(now: datetime.datetime) -> str:
    return f"solhost-backup-{now.astimezone(datetime.UTC).strftime(STAMP)}.tar.gz"


def scheduled_time(name: str) -> datetime.datetime:
    """When a scheduled archive was made, to the second its name gives."""
    stamp = name.removeprefix("solhost-backup-").removesuffix(".tar.gz")
    return datetime.datetime.strptime(stamp, STAMP).replace(tzinfo=datetime.UTC)


def scheduled_names(names: Iterable[str]) -> list[str]:
    """The scheduled archives among ``names``, oldest first (their stamps sort as times)."""
    return sorted(name for name in names if SCHEDULED_NAME.fullmatch(name))


def scheduled_to_delete(names: list[str], *, keep: int) -> list[str]:
    """The scheduled archives beyond the newest ``keep``; other names are never listed."""
    ours = scheduled_names(names)
    return ours[: max(len(ours) - keep, 0)]


def compressed(path: Path) -> bool:
    """Whether the archive's name asks for gzip; ArchiveProblem for a name that isn't a tar's."""
    for suffix, gzip in SUFFIXES.items():
        if path.name.endswith(suffix):
            return gzip
    raise ArchiveProblem(f"{path}: an archive's name ends in .tar, .tar.gz or .tgz")


def safe_member_name(name: str) -> bool:
    """A relative path with no ``..`` or empty parts, so it can't land outside its folder."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and str(path) == name
        and all(part not in {"", ".", ".."} for part in path.parts)
    )


class _HashingReader:
    """Reads a file for tarfile while hashing exactly the bytes it hands over."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def write_archive(path: Path, *, members: list[Member], manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the members and then the manifest (``manifest`` plus a ``members`` list).

    The tar is written to a hidden temporary file beside ``path`` and renamed at the end,
    so a failed backup never leaves a half archive under the final name; mode 0600 from
    the start, as it holds keys. Returns the manifest written.
    """
    gzip = compressed(path)
    if path.exists():
        raise ArchiveProblem(f"{path} exists already: give the new archive a new name")
    descriptor, partial = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
    )
    try:
        listed = []
        with os.fdopen(descriptor, "wb") as file:
            with (
                tarfile.open(fileobj=file, mode="w:gz")
                if gzip
                else tarfile.open(fileobj=file, mode="w")
            ) as tar:
                for member in members:
                    info = tar.gettarinfo(str(member.source), arcname=member.name)
                    info.mode = member.mode
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    with member.source.open("rb") as source:
                        reader = _HashingReader(source)
                        tar.addfile(info, reader)
                    listed.append(
                        {
                            "name": member.name,
                            "size": info.size,
                            "mode": member.mode,
                            "sha256": reader.digest.hexdigest(),
                        }
                    )
                written = {**manifest, "members": listed}
                body = json.dumps(written, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mode = 0o600
                info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
                tar.addfile(info, io.BytesIO(body))
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)
    return written


def _sync_directory(directory: Path) -> None:
    """Make the rename durable: the directory's entry is on disk too."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:*")
    except FileNotFoundError:
        raise ArchiveProblem(f"{path}: no such file") from None
    except (tarfile.TarError, OSError) as error:
        raise ArchiveProblem(f"{path}: not a readable tar archive ({error})") from None


def _members(tar: tarfile.TarFile, path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    try:
        for info in tar:
            if not info.isfile():
                raise ArchiveProblem(f"{path}: member {info.name!r} is not a regular file")
            file = tar.extractfile(info)
            assert file is not None
            yield info, file
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ArchiveProblem(f"{path}: the archive is damaged ({error})") from None


def check_archive(path: Path) -> dict[str, Any]:
    """The manifest of a sound archive, else ArchiveProblem naming the first thing wrong.

    Sound: a ``manifest.json`` of a known format version, every member it lists present
    with its size and sha256, and no member it doesn't list.
    """
    found: dict[str, tuple[int, str]] = {}
    manifest_bytes = None
    with _open(path) as tar:
        for info, file in _members(tar, path):
            if info.name in found or (info.name == MANIFEST and manifest_bytes is not None):
                raise ArchiveProblem(f"{path}: member {info.name!r} appears twice")
            if info.name == MANIFEST:
                manifest_bytes = file.read()
                continue
            digest = hashlib.sha256()
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
            found[info.name] = (info.size, digest.hexdigest())
    if manifest_bytes is None:
        raise ArchiveProblem(f"{path}: no {MANIFEST} inside: not a solhost backup archive")
    manifest = _parse_manifest(manifest_bytes, path)
    listed = {entry["name"]: entry for entry in manifest["members"]}
    for name, entry in listed.items():
        if name not in found:
            raise ArchiveProblem(f"{path}: member {name!r} is listed in {MANIFEST} but missing")
        size, sha256 = found[name]
        if sha256 != entry["sha256"] or size != entry["size"]:
            raise ArchiveProblem(
                f"{path}: member {name!r} is damaged: its sha256 is {sha256} ({size} bytes), "
                f"{MANIFEST} says {entry['sha256']} ({entry['size']} bytes)"
            )
    for name in found:
        if name not in listed:
            raise ArchiveProblem(f"{path}: member {name!r} is not listed in {MANIFEST}")
    return manifest


def _parse_manifest(data: bytes, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveProblem(f"{path}: {MANIFEST} is not valid JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveProblem(f"{path}: {MANIFEST} is not a solhost backup manifest")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveProblem(
            f"{path}: {MANIFEST} has format version {version!r}; this solhost reads "
            f"version {FORMAT_VERSION} only"
        )
    members = manifest.get("members")
    if not isinstance(members, list):
        raise ArchiveProblem(f"{path}: {MANIFEST} has no list of members")
    for index, entry in enumerate(members):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("mode"), int)
        ):
            raise ArchiveProblem(
                f"{path}: {MANIFEST} members[{index}] needs a name, sha256, size and mode"
            )
        if not safe_member_name(entry["name"]) or entry["name"] == MANIFEST:
            raise ArchiveProblem(f"{path}: {MANIFEST} members[{index}] has an unsafe name")
    return manifest


def extract(path: Path, places: dict[str, tuple[Path, int]]) -> None:
    """Copy each member named in ``places`` to its path, as a new file with the given mode.

    Only for an archive ``check_archive`` passed; a file already at a path is refused.
    """
    with _open(path) as tar:
        for info, file in _members(tar, path):
            if info.name not in places:
                continue
            target, mode = places[info.name]
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(descriptor, "wb") as out:
                while chunk := file.read(_CHUNK):
                    out.write(chunk)
            # The mode exactly, whatever the umask took away at creation.
            target.chmod(mode)
            os.utime(target, (info.mtime, info.mtime))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
