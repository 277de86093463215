"""B3.1 reads the partner's services: its dossier names each service that says no way for
residents to get their data out, and leads to where the partner says it."""

import re

from solhost.partners.actions import update_service
from solhost.qualification.models import Declarations
from solhost.test import PASSWORD


def missing_b3_1(client) -> str:
    html = client.get("/manage/mcc/dossier/").content.decode()
    [item] = re.findall(r"<li>\s*<strong>B3\.1 .*?</li>", html, re.S)
    return re.sub(r"\s+", " ", item)


def test_the_dossier_names_a_service_without_an_export_until_its_partner_names_one(client, world):
    Declarations.objects.update_or_create(
        organisation=world.mcc, defaults={"data_return": "Everyone gets a download link."}
    )
    assert client.login(username=world.alice.username, password=PASSWORD)

    item = missing_b3_1(client)
    assert "no way for residents to export their data is named for `mcc-files`" in item
    assert 'href="/manage/mcc/">Your servers and services' in item

    update_service(
        service=world.mcc_service,
        actor=world.alice,
        data={"export_formats": ["original-files", "ics"], "account_move": "partly"},
    )
    item = missing_b3_1(client)
    # Still waiting for the steward's review of the plan, but no service is named any more.
    assert "its service names how residents export their data" in item
    assert "mcc-files" not in item
