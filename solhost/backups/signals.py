"""What backups tells the apps above it, so that it never has to know them."""

from django.dispatch import Signal

# Sent with ``note`` (the archive's name and date) once ``solhost restore`` has restored,
# checked and migrated an installation, before anyone is let in. The archive brings back
# what had ended since it was made (a sign-out, a revoked token): a receiver ends that, and
# answers one line for the operator saying what it did. With ``account_changes``: the
# account journal's changes made after the archive, which a receiver makes again
# (``identity.account_journal``); empty when there is no journal or no such change.
installation_restored = Signal()
