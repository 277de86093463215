import uuid

from django.db import migrations, models


def give_each_session_its_sid(apps, schema_editor):
    SignedInSession = apps.get_model("identity", "SignedInSession")
    for session in SignedInSession.objects.all():
        session.sid = uuid.uuid4()
        session.authenticated_at = session.started
        session.save(update_fields=["sid", "authenticated_at"])


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_serviceclient_signedinsession_consent")]

    operations = [
        # Clients registered so far keep the public identifier they may rely on.
        migrations.AddField(
            model_name="serviceclient",
            name="subject_type",
            field=models.CharField(
                choices=[
                    ("public", "the same for every service (public)"),
                    ("pairwise", "its own for this co-op's services (pairwise)"),
                ],
                default="public",
                max_length=8,
            ),
        ),
        migrations.AlterField(
            model_name="serviceclient",
            name="subject_type",
            field=models.CharField(
                choices=[
                    ("public", "the same for every service (public)"),
                    ("pairwise", "its own for this co-op's services (pairwise)"),
                ],
                default="pairwise",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="serviceclient",
            name="backchannel_logout_uri",
            field=models.URLField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="serviceclient",
            name="backchannel_logout_session_required",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="signedinsession",
            name="sid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="signedinsession",
            name="authenticated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signedinsession",
            name="amr",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(give_each_session_its_sid, migrations.RunPython.noop),
    ]
