"""Files made once: whole, never overwritten, one winner when processes race."""

import multiprocessing
import os
import stat

import pytest

from solhost.core.files import read_or_create, write_new

RACERS = 8


def _race_for(path, own, start, results):
    start.wait()
    results.put(read_or_create(path, lambda: own))


def test_processes_racing_on_a_new_file_all_read_the_same_whole_content(tmp_path):
    path = tmp_path / "var" / "secret"
    context = multiprocessing.get_context("fork")
    start = context.Event()
    results = context.Queue()
    # Each racer would write a different, long content: a half-written read would show.
    contents = [bytes([65 + n]) * 200_000 for n in range(RACERS)]
    racers = [
        context.Process(target=_race_for, args=(path, content, start, results))
        for content in contents
    ]
    for racer in racers:
        racer.start()
    start.set()
    read = [results.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)

    assert len(set(read)) == 1
    assert read[0] in contents
    assert path.read_bytes() == read[0]
    assert sorted(os.listdir(path.parent)) == ["secret"], "no temporary file is left behind"


def test_an_existing_file_is_read_not_made_again(tmp_path):
    path = tmp_path / "secret"
    path.write_bytes(b"kept")

    assert read_or_create(path, lambda: pytest.fail("made again")) == b"kept"


def test_a_new_file_is_private_to_its_owner(tmp_path):
    read_or_create(tmp_path / "secret", lambda: b"x")

    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_write_new_never_overwrites(tmp_path):
    path = tmp_path / "key.pem"
    write_new(path, b"first")

    with pytest.raises(FileExistsError):
        write_new(path, b"second")
    assert path.read_bytes() == b"first"
    assert os.listdir(tmp_path) == ["key.pem"]
