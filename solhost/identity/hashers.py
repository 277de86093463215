from django.contrib.auth.hashers import PBKDF2PasswordHasher


class RandomSecretHasher(PBKDF2PasswordHasher):
    """For client secrets only: 128 random characters need no key stretching.

    A secret a machine generated has far more entropy than any guessing budget, so one
    salted SHA-256 round protects a leaked hash as well as a million would, while the
    token endpoint, which checks the secret on every sign-in, stays fast. People's
    passwords keep Argon2 (the first hasher in PASSWORD_HASHERS).
    """

    algorithm = "client_secret_sha256"
    iterations = 1
