"""What contributions tells the apps above it, so that it never has to know them."""

from django.dispatch import Signal

# Sent with ``lines`` (the debits new to the region, stored) and ``actor`` inside the
# statement import's transaction: a receiver's error refuses the whole import.
statement_debits_imported = Signal()
