"""On PostgreSQL the database itself refuses an unbalanced transaction or a changed posting.

The balance check is a constraint trigger deferred to COMMIT, so a transaction's postings
can be inserted one by one; whatever writes them (the ORM, a script, psql), the commit
fails if any transaction touched does not sum to zero cents. SQLite has no deferred
triggers; there ``post_transaction`` is the only guard.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION ledger_transaction_balances() RETURNS trigger AS $$
DECLARE
    touched bigint;
    total numeric;
    lines integer;
BEGIN
    IF TG_OP = 'DELETE' THEN touched := OLD.transaction_id; ELSE touched := NEW.transaction_id; END IF;
    SELECT COALESCE(SUM(amount_cents), 0), COUNT(*) INTO total, lines
      FROM ledger_posting WHERE transaction_id = touched;
    IF total <> 0 OR lines < 2 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: % postings sum to % cents',
            touched, lines, total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_posting_balanced
    AFTER INSERT OR UPDATE OR DELETE ON ledger_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balances();

CREATE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only (% on %): post a reversal instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_posting_append_only BEFORE UPDATE OR DELETE ON ledger_posting
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transaction_append_only BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_transaction_append_only ON ledger_transaction;
DROP TRIGGER IF EXISTS ledger_posting_append_only ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_append_only();
DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;
DROP FUNCTION IF EXISTS ledger_transaction_balances();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
