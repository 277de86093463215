"""``solhost payments import``."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from solhost.contributions.models import Payment, StatementLine
from solhost.core.models import AuditEvent

FILES = Path(__file__).parent / "statements"


def test_import_says_what_was_new_and_is_safe_to_re_run(world, capsys):
    call_command("payments", "import", str(FILES / "commbank-october.csv"), "--mapping", "commbank")
    assert "csv, 6 new lines (1 payment recorded, 2 unmatched, 3 debits); 0 already known" in (
        capsys.readouterr().out
    )
    call_command("payments", "import", str(FILES / "commbank-october.csv"), "--mapping=commbank")
    assert "0 new lines" in capsys.readouterr().out and StatementLine.objects.count() == 6
    assert AuditEvent.objects.filter(
        action="contributions.statement.import"
    ).first().actor_label == ("system")


def test_a_forced_format_and_a_bad_file_are_refused_with_where(world):
    with pytest.raises(CommandError, match=r"nothing was imported.\n  OFX: is not a readable"):
        call_command("payments", "import", str(FILES / "camt053-october.xml"), "--format", "ofx")
    with pytest.raises(CommandError, match="STMTTRN\\[3\\]/TRNAMT"):
        call_command("payments", "import", str(FILES / "ofx-malformed.ofx"))
    with pytest.raises(CommandError, match="No such file"):
        call_command("payments", "import", str(FILES / "missing.ofx"))
    assert not Payment.objects.exists()
