"""What a username may be: the region's services take it as the resident's name there
(``preferred_username``: a Matrix ID's localpart, a Nextcloud or Forgejo login), and
most of them accept only lowercase letters, digits and a few marks. allauth runs these on
sign-up (``ACCOUNT_USERNAME_VALIDATORS``), after the adapter has lowercased the name."""

from django.core.validators import RegexValidator

HELP = (
    "Your name at the region's services, such as your chat address. Lowercase letters, "
    "digits, dots, hyphens and underscores; you sign in with your email address."
)

VALIDATORS = [
    RegexValidator(
        r"\A[a-z0-9][a-z0-9._-]*\Z",
        "Use only lowercase letters, digits, dots, hyphens and underscores, beginning "
        "with a letter or digit: the region's services use this name as it is.",
        code="invalid_username",
    )
]
