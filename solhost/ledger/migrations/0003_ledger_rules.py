"""On PostgreSQL the database refuses what the ledger's rules forbid, whoever writes.

- A transaction commits only with two or more postings (a constraint trigger deferred to
  COMMIT, so the postings may follow the transaction row).
- A posting joins only a transaction written by the same database transaction: once a
  transaction has committed, nothing can be added to it, so a closed period stays closed.
- TRUNCATE is refused on postings and transactions, as 0002 refuses UPDATE and DELETE.
  The one exception is erasing a whole database on purpose (``flush``, which the test
  suite runs after each transactional test): it sets ``solhost.erase_ledger`` to ``on``
  for its own transaction.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION ledger_transaction_has_postings() RETURNS trigger AS $$
DECLARE
    lines integer;
BEGIN
    SELECT COUNT(*) INTO lines FROM ledger_posting WHERE transaction_id = NEW.id;
    IF lines < 2 THEN
        RAISE EXCEPTION 'ledger transaction % has % postings: a transaction needs two or more',
            NEW.id, lines USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_transaction_has_postings
    AFTER INSERT ON ledger_transaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_has_postings();

CREATE FUNCTION ledger_posting_joins_new_transaction() RETURNS trigger AS $$
DECLARE
    written bigint;
    now_id bigint := pg_current_xact_id()::text::bigint;
BEGIN
    SELECT xmin::text::bigint INTO written FROM ledger_transaction WHERE id = NEW.transaction_id;
    -- xmin is the 32-bit id of the (sub)transaction that wrote the row, 0 to 2 for rows
    -- frozen long ago. It lies within 2^31 of the current id, which gives its epoch; the
    -- status of our own transaction and of its savepoints is 'in progress'.
    IF written >= 3 AND pg_xact_status((
        now_id + (written - now_id % 4294967296 + 6442450944) % 4294967296 - 2147483648
    )::text::xid8) = 'in progress' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ledger transaction % was not written in this database transaction: '
        'postings join only a new transaction; post a new one to correct it', NEW.transaction_id
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_posting_joins_new_transaction BEFORE INSERT ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_posting_joins_new_transaction();

CREATE FUNCTION ledger_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('solhost.erase_ledger', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the ledger is append-only (TRUNCATE on %): post a reversal instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_posting_no_truncate BEFORE TRUNCATE ON ledger_posting
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_no_truncate();
CREATE TRIGGER ledger_transaction_no_truncate BEFORE TRUNCATE ON ledger_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_transaction_no_truncate ON ledger_transaction;
DROP TRIGGER IF EXISTS ledger_posting_no_truncate ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_no_truncate();
DROP TRIGGER IF EXISTS ledger_posting_joins_new_transaction ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_posting_joins_new_transaction();
DROP TRIGGER IF EXISTS ledger_transaction_has_postings ON ledger_transaction;
DROP FUNCTION IF EXISTS ledger_transaction_has_postings();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_balance_trigger")]
    operations = [migrations.RunPython(create, drop)]
