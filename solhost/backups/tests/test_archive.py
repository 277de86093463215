"""The archive format on its own: written whole or not at all, and checked in full before use."""

import datetime
import hashlib
import io
import json
import tarfile

import pytest

from solhost.backups.archive import (
    FORMAT,
    FORMAT_VERSION,
    ArchiveProblem,
    Member,
    check_archive,
    extract,
    scheduled_name,
    scheduled_to_delete,
    write_archive,
)

MANIFEST = {"format": FORMAT, "format_version": FORMAT_VERSION, "created": "2026-01-01T00:00:00Z"}


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "db").write_bytes(b"database bytes " * 100)
    (folder / "key.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    return [
        Member("database/solhost.sqlite3", folder / "db", 0o600),
        Member("oidc-keys/rsa-1.pem", folder / "key.pem", 0o600),
    ]


def written(tmp_path, sources, name="backup.tar"):
    path = tmp_path / name
    write_archive(path, members=sources, manifest=MANIFEST)
    return path


def rewrite(path, *, drop=(), replace=None, add=None):
    """The archive at ``path`` written again without ``drop``, with members' bytes replaced or added."""
    replace = replace or {}
    with tarfile.open(path) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar]
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            if info.name in drop:
                continue
            data = replace.get(info.name, data)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, data in (add or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def manifest_of(path) -> dict:
    with tarfile.open(path) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_an_archive_lists_each_member_with_its_checksum_size_and_mode(tmp_path, sources):
    path = written(tmp_path, sources)

    manifest = check_archive(path)

    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["members"] == [
        {
            "name": member.name,
            "size": member.source.stat().st_size,
            "mode": 0o600,
            "sha256": hashlib.sha256(member.source.read_bytes()).hexdigest(),
        }
        for member in sources
    ]
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == sorted(["sources", "backup.tar"])


def test_a_gz_name_gives_a_gzipped_archive_and_another_name_is_refused(tmp_path, sources):
    path = written(tmp_path, sources, "backup.tar.gz")
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert check_archive(path)["members"]

    with pytest.raises(ArchiveProblem, match=r"backup\.zip: an archive's name ends in \.tar"):
        write_archive(tmp_path / "backup.zip", members=sources, manifest=MANIFEST)


def test_an_existing_file_is_never_overwritten(tmp_path, sources):
    path = tmp_path / "backup.tar"
    path.write_text("an older archive")

    with pytest.raises(ArchiveProblem, match="exists already"):
        write_archive(path, members=sources, manifest=MANIFEST)
    assert path.read_text() == "an older archive"


def test_a_failed_backup_leaves_no_half_archive(tmp_path, sources):
    missing = Member("media/gone.pdf", tmp_path / "gone.pdf", 0o644)

    with pytest.raises(FileNotFoundError):
        write_archive(tmp_path / "backup.tar", members=[*sources, missing], manifest=MANIFEST)

    assert [p.name for p in tmp_path.iterdir()] == ["sources"]


def test_a_damaged_member_is_named_with_both_checksums(tmp_path, sources):
    path = written(tmp_path, sources)
    expected = hashlib.sha256(sources[1].source.read_bytes()).hexdigest()
    damaged = b"-----BEGIN PRIVATE KEY-----\r"
    rewrite(path, replace={"oidc-keys/rsa-1.pem": damaged})

    with pytest.raises(ArchiveProblem) as problem:
        check_archive(path)

    message = str(problem.value)
    assert "member 'oidc-keys/rsa-1.pem' is damaged" in message
    assert hashlib.sha256(damaged).hexdigest() in message
    assert f"manifest.json says {expected}" in message


def test_a_flipped_byte_in_the_file_is_found(tmp_path, sources):
    path = written(tmp_path, sources)
    with tarfile.open(path) as tar:
        offset = tar.getmember("database/solhost.sqlite3").offset_data
    data = bytearray(path.read_bytes())
    data[offset + 3] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(ArchiveProblem, match=r"member 'database/solhost\.sqlite3' is damaged"):
        check_archive(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": ["manifest.json"]}, "no manifest.json inside: not a solhost backup archive"),
        (
            {"drop": ["oidc-keys/rsa-1.pem"]},
            "'oidc-keys/rsa-1.pem' is listed in manifest.json but missing",
        ),
        ({"add": {"media/extra.pdf": b"x"}}, "'media/extra.pdf' is not listed in manifest.json"),
        ({"add": {"oidc-keys/rsa-1.pem": b"x"}}, "'oidc-keys/rsa-1.pem' appears twice"),
    ],
)
def test_missing_and_unlisted_members_are_named(tmp_path, sources, change, message):
    path = written(tmp_path, sources)
    rewrite(path, **change)

    with pytest.raises(ArchiveProblem, match=message):
        check_archive(path)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ({**MANIFEST, "format_version": 2}, "format version 2; this solhost reads version 1 only"),
        ({**MANIFEST, "format": "something-else"}, "not a solhost backup manifest"),
        ({**MANIFEST, "members": "all"}, "no list of members"),
        (
            {
                **MANIFEST,
                "members": [{"name": "../../etc/passwd", "sha256": "", "size": 0, "mode": 0}],
            },
            r"members\[0\] has an unsafe name",
        ),
        ({**MANIFEST, "members": [{"name": "secret_key"}]}, r"members\[0\] needs a name, sha256"),
    ],
)
def test_a_manifest_this_solhost_cannot_trust_is_refused(tmp_path, sources, manifest, message):
    path = written(tmp_path, sources)
    rewrite(path, replace={"manifest.json": json.dumps(manifest).encode()})

    with pytest.raises(ArchiveProblem, match=message):
        check_archive(path)


def test_a_file_that_is_no_archive_is_refused(tmp_path):
    path = tmp_path / "backup.tar.gz"
    path.write_bytes(b"not a tar at all")

    with pytest.raises(ArchiveProblem, match=r"backup\.tar\.gz: not a readable tar archive"):
        check_archive(path)
    with pytest.raises(ArchiveProblem, match="no such file"):
        check_archive(tmp_path / "elsewhere.tar")


def test_extract_writes_new_files_with_the_given_modes_and_refuses_existing_ones(tmp_path, sources):
    path = written(tmp_path, sources)
    key = tmp_path / "restored" / "keys" / "rsa-1.pem"

    extract(path, {"oidc-keys/rsa-1.pem": (key, 0o600)})

    assert key.read_bytes() == sources[1].source.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "restored" / "database").exists()
    with pytest.raises(FileExistsError):
        extract(path, {"oidc-keys/rsa-1.pem": (key, 0o600)})


def test_retention_deletes_only_the_oldest_of_its_own_archives():
    def at(day: int) -> str:
        return scheduled_name(datetime.datetime(2026, 3, day, 3, 45, tzinfo=datetime.UTC))

    names = [at(day) for day in (5, 1, 4, 2, 3)]
    names += ["notes.txt", "solhost-backup-before-upgrade.tar.gz", f".{at(6)}.abc.partial"]

    assert at(1) == "solhost-backup-20260301T034500Z.tar.gz"
    assert scheduled_to_delete(names, keep=3) == [at(1), at(2)]
    assert scheduled_to_delete(names, keep=14) == []
