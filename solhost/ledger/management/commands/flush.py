from django.core.management.commands import flush
from django.db import connections, transaction


class Command(flush.Command):
    """Django's ``flush``, which erases the ledger along with every other table.

    On PostgreSQL the ledger's triggers refuse TRUNCATE unless ``solhost.erase_ledger`` is
    ``on`` (migration 0003); erasing the whole database is the one deliberate exception,
    and the test suite does it after every transactional test.
    """

    def handle(self, **options):
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL solhost.erase_ledger = 'on'")
            super().handle(**options)
