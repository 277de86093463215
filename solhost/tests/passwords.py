"""Password hashing for the test suite: Argon2, with the least work it allows."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher at one pass over 64 KiB, for the tests alone.

    Django's parameters make each hash and each check of a password cost about 160 ms and
    100 MiB on purpose; the suite signs people in thousands of times. The hashes still
    start with ``argon2`` and carry their parameters, so either hasher checks the other's.
    The installations the suite serves in subprocesses keep the real parameters.
    """

    time_cost = 1
    memory_cost = 64
    parallelism = 1
