"""The signing key ring: the newest key signs, retired keys stay published until their tokens
expire, then read hints for a while."""

import datetime
import multiprocessing

from solhost.identity.signing_keys import key_files, load_key_ring, rotate

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
T0 = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)


def test_a_first_key_is_made_when_there_is_none(tmp_path):
    ring = load_key_ring(tmp_path / "keys", now=T0, keep=HOUR, hints_keep=DAY)

    assert ring.active_pem().startswith("-----BEGIN PRIVATE KEY-----")
    assert ring.retired == []
    assert ring.active.path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700
    assert (
        load_key_ring(tmp_path / "keys", now=T0 + HOUR, keep=HOUR, hints_keep=DAY).active
        == ring.active
    )


def _start_a_worker(keys, now, start, results):
    start.wait()
    results.put(load_key_ring(keys, now=now, keep=HOUR, hints_keep=DAY).active.path.name)


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


def test_a_rotated_key_stays_published_until_its_tokens_expire(tmp_path):
    keys = tmp_path / "keys"
    first = load_key_ring(keys, now=T0, keep=HOUR, hints_keep=DAY).active
    second, removed = rotate(keys, now=T0 + 2 * HOUR, keep=DAY)

    assert removed == []
    ring = load_key_ring(keys, now=T0 + 2 * HOUR + HOUR / 2, keep=HOUR, hints_keep=DAY)
    assert ring.active == second
    assert ring.retired == [first]
    # An hour after the second key took over, nothing the first one signed is still valid:
    # it is no longer published, and only reads the ID tokens services send back as hints.
    later = load_key_ring(keys, now=T0 + 3 * HOUR, keep=HOUR, hints_keep=DAY)
    assert later.retired == [] and later.hint_checking == [first]
    assert later.hint_checking_pems() == [first.path.read_text()]
    # A day after, not even that.
    gone = load_key_ring(keys, now=T0 + 2 * HOUR + DAY, keep=HOUR, hints_keep=DAY)
    assert gone.retired == [] and gone.hint_checking == []


def test_rotate_deletes_keys_no_token_can_refer_to(tmp_path):
    keys = tmp_path / "keys"
    first = load_key_ring(keys, now=T0, keep=HOUR, hints_keep=DAY).active
    second, _ = rotate(keys, now=T0 + HOUR, keep=HOUR)
    third, removed = rotate(keys, now=T0 + 5 * HOUR, keep=HOUR)

    assert removed == [first]
    assert [k.path for k in key_files(keys)] == [second.path, third.path]


def test_rotate_keeps_a_key_that_still_reads_hints(tmp_path):
    # The command rotates with the hints' horizon: a service signing out with an ID token
    # from the day before, after two rotations, is still read.
    keys = tmp_path / "keys"
    first = load_key_ring(keys, now=T0, keep=HOUR, hints_keep=DAY).active
    second, _ = rotate(keys, now=T0 + HOUR, keep=DAY)
    third, removed = rotate(keys, now=T0 + 5 * HOUR, keep=DAY)

    assert removed == []
    ring = load_key_ring(keys, now=T0 + 7 * HOUR, keep=HOUR, hints_keep=DAY)
    assert (ring.active, ring.retired, ring.hint_checking) == (third, [], [first, second])
