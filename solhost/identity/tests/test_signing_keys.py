"""The signing key ring: a rotated key is published a notice period before it signs;
retired keys stay published until their tokens expire, then read hints for a while; every
process follows the directory without a restart."""

import datetime
import multiprocessing

import pytest

from solhost.identity.signing_keys import (
    RETIRED_PUBLISHED,
    RETIRED_READS_HINTS,
    SIGNS_FROM,
    SIGNS_NOW,
    KeyAlreadyComing,
    KeyRingReader,
    generate_key,
    key_files,
    load_key_ring,
    replace_all,
    rotate,
    rotation_due,
)

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
T0 = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)


def ring(keys, now):
    return load_key_ring(keys, now=now, keep=HOUR, hints_keep=DAY)


def test_a_first_key_is_made_when_there_is_none_and_signs_at_once(tmp_path):
    first = ring(tmp_path / "keys", T0)

    assert first.active.pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert first.active.signs_from == T0
    assert (first.upcoming, first.retired, first.changes_at) == ([], [], None)
    assert first.active.path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    assert ring(tmp_path / "keys", T0 + HOUR).active == first.active


def _start_a_worker(keys, now, start, results):
    start.wait()
    results.put(ring(keys, now).active.path.name)


def test_workers_starting_together_on_a_new_installation_sign_with_one_key(tmp_path):
    # gunicorn starts its workers at once: two first keys would give two JWKS.
    keys = tmp_path / "keys"
    context = multiprocessing.get_context("fork")
    start = context.Event()
    results = context.Queue()
    workers = [
        context.Process(target=_start_a_worker, args=(keys, T0 + n * HOUR, start, results))
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    start.set()
    names = {results.get(timeout=120) for _ in workers}
    for worker in workers:
        worker.join(timeout=60)

    assert len(names) == 1
    assert [key.path.name for key in key_files(keys)] == list(names)


def test_a_rotated_key_is_published_a_notice_before_it_signs(tmp_path):
    keys = tmp_path / "keys"
    first = ring(keys, T0).active
    second, removed = rotate(keys, now=T0 + HOUR, notice=DAY, hints_keep=DAY)

    assert removed == []
    assert second.signs_from == T0 + HOUR + DAY
    # Until then the first key signs, and services fetching the JWKS get both.
    waiting = ring(keys, T0 + HOUR + DAY / 2)
    assert (waiting.active, waiting.upcoming, waiting.retired) == (first, [second], [])
    assert waiting.published() == [first, second]
    assert waiting.changes_at == second.signs_from
    # From its time the second signs, with no one reloading anything.
    taken_over = ring(keys, second.signs_from)
    assert (taken_over.active, taken_over.upcoming, taken_over.retired) == (second, [], [first])


def test_a_retired_key_stays_published_until_its_tokens_expire_then_reads_hints(tmp_path):
    keys = tmp_path / "keys"
    first = ring(keys, T0).active
    second, _ = rotate(keys, now=T0, notice=2 * HOUR, hints_keep=DAY)

    half_an_hour_later = ring(keys, T0 + 2 * HOUR + HOUR / 2)
    assert (half_an_hour_later.active, half_an_hour_later.retired) == (second, [first])
    assert half_an_hour_later.changes_at == T0 + 3 * HOUR
    # An hour after the second key took over, nothing the first one signed is still valid:
    # it is no longer published, and only reads the ID tokens services send back as hints.
    later = ring(keys, T0 + 3 * HOUR)
    assert later.retired == [] and later.hint_checking == [first]
    assert later.published() == [second]
    assert later.changes_at == T0 + 2 * HOUR + DAY
    # A day after, not even that.
    gone = ring(keys, T0 + 2 * HOUR + DAY)
    assert (gone.retired, gone.hint_checking, gone.changes_at) == ([], [], None)


def test_a_second_rotation_before_the_first_key_signs_is_refused(tmp_path):
    keys = tmp_path / "keys"
    ring(keys, T0)
    second, _ = rotate(keys, now=T0, notice=DAY, hints_keep=DAY)

    with pytest.raises(KeyAlreadyComing, match=rf"{second.path.name} is published and signs from"):
        rotate(keys, now=T0 + HOUR, notice=DAY, hints_keep=DAY)

    assert len(key_files(keys)) == 2
    third, _ = rotate(keys, now=second.signs_from, notice=DAY, hints_keep=DAY)
    assert key_files(keys)[-1] == third


def test_a_rotation_into_an_empty_folder_signs_at_once(tmp_path):
    # Nothing was published before it, so there is no one to give notice to.
    new, removed = rotate(tmp_path / "keys", now=T0, notice=DAY, hints_keep=DAY)

    assert (new.signs_from, removed) == (T0, [])
    assert ring(tmp_path / "keys", T0).active == new


def test_rotate_deletes_keys_no_token_can_refer_to(tmp_path):
    keys = tmp_path / "keys"
    first = ring(keys, T0).active
    second, _ = rotate(keys, now=T0, notice=HOUR, hints_keep=HOUR)
    third, removed = rotate(keys, now=T0 + 5 * HOUR, notice=HOUR, hints_keep=HOUR)

    assert removed == [first]
    assert key_files(keys) == [second, third]


def test_rotate_keeps_a_key_that_still_reads_hints(tmp_path):
    # The command rotates with the hints' horizon: a service signing out with an ID token
    # from the day before, after two rotations, is still read.
    keys = tmp_path / "keys"
    first = ring(keys, T0).active
    second, _ = rotate(keys, now=T0, notice=HOUR, hints_keep=DAY)
    third, removed = rotate(keys, now=T0 + 5 * HOUR, notice=HOUR, hints_keep=DAY)

    assert removed == []
    later = ring(keys, T0 + 8 * HOUR)
    assert (later.active, later.retired, later.hint_checking) == (third, [], [first, second])


def test_each_key_is_listed_with_what_it_is_for_the_published_ones_first(tmp_path):
    keys = tmp_path / "keys"
    first = ring(keys, T0).active
    second = generate_key(keys, signs_from=T0 + 2 * HOUR)
    third = generate_key(keys, signs_from=T0 + 4 * HOUR + 30 * datetime.timedelta(minutes=1))
    fourth = generate_key(keys, signs_from=T0 + 6 * HOUR)

    # At T0 + 5h the first key's tokens are over (it handed over at T0 + 2h), the second's
    # may still be valid, the third signs and the fourth waits.
    at = ring(keys, T0 + 5 * HOUR)

    assert at.published_roles() == [
        (third, SIGNS_NOW),
        (fourth, SIGNS_FROM),
        (second, RETIRED_PUBLISHED),
    ]
    assert at.roles() == [*at.published_roles(), (first, RETIRED_READS_HINTS)]


def test_a_reader_follows_the_folder_and_the_clock_and_rereads_nothing_else(tmp_path):
    keys = tmp_path / "keys"
    reader = KeyRingReader(keys, keep=HOUR, hints_keep=DAY)
    first = reader.ring(now=T0)

    assert reader.ring(now=T0 + HOUR) is first
    # A rotation by another process: seen at the next call, with no restart.
    second, _ = rotate(keys, now=T0 + HOUR, notice=HOUR, hints_keep=DAY)
    waiting = reader.ring(now=T0 + HOUR)
    assert (waiting.active, waiting.upcoming) == (first.active, [second])
    assert reader.ring(now=T0 + HOUR + HOUR / 2) is waiting
    # The new key's time comes: the ring is read again and it signs.
    assert reader.ring(now=second.signs_from).active == second
    # A key file copied in (a restore, another site's hand): seen too.
    restored = generate_key(keys, signs_from=T0 + 3 * HOUR)
    assert reader.ring(now=T0 + 3 * HOUR).active == restored


def test_replacing_every_key_leaves_one_that_signs_at_once(tmp_path):
    keys = tmp_path / "keys"
    first = ring(keys, T0).active
    second, _ = rotate(keys, now=T0 + HOUR, notice=DAY, hints_keep=DAY)

    new, withdrawn = replace_all(keys, now=T0 + 2 * HOUR)

    assert withdrawn == [first, second]
    assert key_files(keys) == [new]
    after = ring(keys, T0 + 2 * HOUR)
    assert (after.active, after.published(), after.hint_checking) == (new, [new], [])


def test_a_scheduled_rotation_is_due_once_the_key_has_signed_long_enough(tmp_path):
    keys = tmp_path / "keys"
    first = ring(keys, T0)
    every = 90 * DAY

    assert not rotation_due(first, now=T0 + every - HOUR, every=every)
    assert rotation_due(first, now=T0 + every, every=every)
    # Once rotated, not again while the new key waits to sign, nor until it has signed 90 days.
    second, _ = rotate(keys, now=T0 + every, notice=DAY, hints_keep=DAY)
    assert not rotation_due(ring(keys, T0 + every + HOUR), now=T0 + every + HOUR, every=every)
    later = second.signs_from + every
    assert not rotation_due(ring(keys, later - HOUR), now=later - HOUR, every=every)
    assert rotation_due(ring(keys, later), now=later, every=every)
