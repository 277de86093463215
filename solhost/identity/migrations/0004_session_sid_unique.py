import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0003: PostgreSQL can't alter a table whose rows that transaction updated."""

    dependencies = [("identity", "0003_session_claims_and_logout")]

    operations = [
        migrations.AlterField(
            model_name="signedinsession",
            name="sid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
