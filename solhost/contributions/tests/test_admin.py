"""The steward's admin for saved CSV layouts."""

from solhost.core.models import AuditEvent


def test_the_steward_saves_a_custom_mapping_in_the_admin_and_a_bad_one_is_explained(client, world):
    client.force_login(world.sam)
    add = "/admin/contributions/csvmapping/add/"
    fields = {
        "name": "bank-australia",
        "label": "Bank Australia",
        "date_column": "2",
        "date_format": "%Y-%m-%d",
        "description_columns": "3,4",
        "amount_column": "1",
        # The audit trail shown under the form.
        "core-auditevent-content_type-object_id-TOTAL_FORMS": "0",
        "core-auditevent-content_type-object_id-INITIAL_FORMS": "0",
    }
    refused = client.post(add, {**fields, "name": "commbank", "description_columns": "c"})
    assert "is a preset&#x27;s name" in refused.content.decode()
    assert "write column numbers joined by commas" in refused.content.decode()
    # A digit to str.isdigit, not to int(): explained the same way, not a server error.
    superscript = client.post(add, {**fields, "description_columns": "3,²"})
    assert "write column numbers joined by commas" in superscript.content.decode()
    split = client.post(add, {**fields, "debit_column": "5"})
    assert "name one amount column, or debit and credit columns" in split.content.decode()
    assert client.post(add, fields).status_code == 302
    assert AuditEvent.objects.filter(action="admin.csvmapping.add").exists()
