"""/accounts/export/: a resident downloads everything the region holds about them, and
nothing about anybody else; a large export is built in the background behind a link."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator, FormatChecker
from pytest_django.asserts import assertContains, assertRedirects

from solhost.contributions.actions import reference_for_resident
from solhost.contributions.models import Payment, Pledge
from solhost.core.audit import admin_action, record
from solhost.core.models import AuditEvent
from solhost.distribution.models import PaymentReversal
from solhost.identity.models import SignedInSession
from solhost.identity.subjects import organisation_sector, pairwise_sub, subject_for
from solhost.identity.tests.oidc import make_client
from solhost.identity.tests.test_session_claims import with_totp
from solhost.partners.exits import EXPORT_FORMATS
from solhost.partners.models import Membership, Service
from solhost.residents import actions
from solhost.residents.export_files import TABLES
from solhost.residents.links import export_named, export_url
from solhost.residents.models import AccountExport
from solhost.residents.queries import SCHEMA_PATH
from solhost.residents.tests.story import more_of_a_life, october, sign_in, sign_in_to
from solhost.web.tests.pages import assert_clean_page
from solhost.winddown.models import Case

URL = reverse("residents:export")
PAGE = reverse("residents:data")
SCHEMA = json.loads(SCHEMA_PATH.read_text())


def download(browser) -> zipfile.ZipFile:
    response = browser.post(URL)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="merri-bek-account-\d{4}-\d{2}-\d{2}\.zip"',
        response["Content-Disposition"],
    )
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def document_of(archive: zipfile.ZipFile) -> dict:
    document = json.loads(archive.read("export.json"))
    Draft202012Validator(SCHEMA, format_checker=FormatChecker()).validate(document)
    return document


def every_text(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode() for name in archive.namelist())


@pytest.fixture
def lives(world):
    """Rita and Bob both pay, use services and signed in to MCC Files; Rita has a TOTP."""
    october(world)
    nextcloud = make_client(world.mcc_service)
    rita = sign_in("rita@example.org", "Rita's Firefox")
    sign_in_to(rita, nextcloud)
    bob = sign_in("bob@example.org", "Bob's Safari")
    sign_in_to(bob, nextcloud)
    with_totp(world.rita)
    more_of_a_life(world)
    return rita, bob, nextcloud


def test_the_page_and_the_download_need_a_login(client, world):
    for address in (URL, PAGE):
        assertRedirects(client.get(address), f"{reverse('account_login')}?next={address}")


def test_the_page_says_what_is_inside_and_downloads_nothing(client, world):
    client.force_login(world.rita)
    page = client.get(PAGE)
    assert_clean_page(page)
    assertContains(page, "What is inside")
    assertContains(page, "how to take your data out of it and whether your account can move")
    assertContains(page, "Download my data (zip)")
    assert page["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="residents.export.download").exists()


def test_a_get_of_the_export_gives_the_zip_at_once(client, world):
    client.force_login(world.rita)
    response = client.get(URL)
    assert response["Content-Type"] == "application/zip"
    document = document_of(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))))
    assert document["account"]["username"] == world.rita.username
    assert AuditEvent.objects.filter(action="residents.export.download", actor=world.rita).exists()


def test_the_download_needs_the_forms_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.rita)
    assert browser.post(URL).status_code == 403
    page = browser.get(PAGE)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert browser.post(URL, {"csrfmiddlewaretoken": token}).status_code == 200


def test_the_zip_holds_everything_about_the_resident_and_validates(world, lives):
    rita, _bob, nextcloud = lives

    archive = download(rita)
    document = document_of(archive)

    assert document["account"]["username"] == "rita"
    assert document["account"]["sub"] == str(world.rita.sub)
    assert document["emails"] == [{"email": "rita@example.org", "verified": True, "primary": True}]
    assert [f["type"] for f in document["second_factors"]] == ["totp"]
    assert document["contribution_choices"][0]["monthly_cents"] == 2500
    assert document["payment_reference"] == reference_for_resident(world.rita).code
    assert [(p["amount_cents"], p["reversal_kind"]) for p in document["payments"]] == [
        (2500, None),
        (700, "refund"),
    ]
    assert document["payments"][1]["reversal_reason"] == "Paid twice by mistake"
    assert document["pledge"]["amount_cents"] == 1500
    assert document["pledge"]["frequency"] == "monthly"
    (case,) = document["wind_down_cases"]
    assert (case["service"], case["state"]) == ("mcc-files", "notified")
    (month,) = document["money_by_month"]
    assert month["period"] == "2026-10" and month["paid_cents"] == 2500
    went = sum(s["cents"] for s in month["services"]) + sum(
        month[pool] for pool in ("commons_cents", "solidarity_cents", "zero_usage_cents")
    )
    assert went == 2500
    assert {s["service"]: s["active_days"] for s in month["services"]} == {
        "mcc-files": 3,
        "cct-chat": 1,
    }
    october_days = [d for d in document["active_days"] if d["day"].startswith("2026-10")]
    assert [(d["day"], d["service"]) for d in october_days] == [
        ("2026-10-01", "cct-chat"),
        ("2026-10-01", "mcc-files"),
        ("2026-10-02", "mcc-files"),
        ("2026-10-03", "mcc-files"),
    ]
    (service,) = document["connected_services"]
    assert service["service"] == "mcc-files" and service["signed_in"]
    assert service["subject"] == subject_for(world.rita, nextcloud.client)
    assert service["scopes"] == ["email", "openid", "profile"]
    assert [s["browser"] for s in document["sessions"]] == ["Rita's Firefox"]
    actions_seen = {e["action"] for e in document["audit_events"]}
    assert {"identity.login", "identity.consent.give", "contributions.choose"} <= actions_seen
    # The CSV tables hold the same rows.
    days = list(csv.DictReader(io.StringIO(archive.read("active_days.csv").decode())))
    assert len(days) == len(document["active_days"]) and days[0]["service_name"] == "CCT Chat"
    money = list(csv.DictReader(io.StringIO(archive.read("money_by_month.csv").decode())))
    assert sum(int(row["amount_cents"]) for row in money) == 2500
    assert AuditEvent.objects.filter(action="residents.export.download", actor=world.rita).exists()


def test_the_export_says_how_to_leave_each_service_the_resident_uses(world, lives, settings):
    Service.objects.filter(pk=world.mcc_service.pk).update(
        export_formats=["original-files", "ics"],
        export_steps="Download your files; export calendars as .ics.",
        account_move="partly",
        account_move_steps="Nextcloud's user migration app.",
    )
    rita, _bob, _nextcloud = lives

    archive = download(rita)
    document = document_of(archive)

    # Used (reported days) or signed in to; the region's other services are not listed.
    assert [s["service"] for s in document["how_to_leave"]] == ["cct-chat", "mcc-files"]
    assert document["how_to_leave"][1] == {
        "service": "mcc-files",
        "service_name": world.mcc_service.name,
        "partner": "mcc",
        "page": settings.BASE_URL + "/services/mcc-files/",
        "export_formats": ["original-files", "ics"],
        "export_steps": "Download your files; export calendars as .ics.",
        "account_move": "partly",
        "account_move_steps": "Nextcloud's user migration app.",
    }
    rows = list(csv.DictReader(io.StringIO(archive.read("how_to_leave.csv").decode())))
    assert rows[1]["export_formats"] == "original-files ics"
    assert rows[1]["account_move"] == "partly"


def test_nothing_of_another_resident_is_in_the_export(world, lives):
    rita, _bob, nextcloud = lives
    bob = world.bob
    bobs = [
        "bob",
        "Bob",
        "Bob's Safari",
        str(bob.sub),
        str(pairwise_sub(bob.sub, organisation_sector(world.mcc.pk))),
        subject_for(bob, nextcloud.client),
        reference_for_resident(bob).code,
        *(str(s.sid) for s in SignedInSession.objects.filter(user=bob)),
    ]

    text = every_text(download(rita))

    assert [found for found in bobs if found in text] == []
    assert "rita@example.org" in text


def test_a_stewards_export_leaves_out_the_residents_they_acted_on(client, world, lives):
    record(
        actor=world.sam,
        action=admin_action(world.rita, "change"),
        obj=world.rita,
        before={"email": "rita@example.org"},
        after={"email": "rita@new.example.org"},
        note="rita asked by phone",
    )
    client.force_login(world.sam)

    archive = download(client)
    document = document_of(archive)

    (event,) = [e for e in document["audit_events"] if e["action"] == "admin.user.change"]
    assert event["role"] == "actor"
    assert event["object_type"] == "identity.user"
    assert event["object"] is None and event["note"] is None
    assert "rita" not in every_text(archive).lower()


def test_a_large_export_is_built_in_the_background_and_emailed(
    settings, world, lives, django_capture_on_commit_callbacks
):
    rita, bob, _ = lives
    settings.SOLHOST_EXPORT_INLINE_ROWS = 1
    page = rita.get(PAGE)
    assertContains(page, "Prepare my export")
    assertRedirects(rita.get(URL), PAGE)

    with django_capture_on_commit_callbacks(execute=True):
        asked = rita.post(URL)

    assertRedirects(asked, PAGE, fetch_redirect_response=False)
    answer = rita.get(PAGE)
    assertContains(answer, "Your export is being prepared")
    export = AccountExport.objects.get()
    assert export.ready_at and export.size_bytes > 0 and export.user == world.rita
    (message,) = [m for m in mail.outbox if "ready to download" in m.subject]
    assert message.to == ["rita@example.org"]
    link = re.search(r"http://testserver(/accounts/export/files/[^\s]+/)", message.body)[1]
    # The page links the same export (signed a moment later, so not the same text).
    listed = re.search(
        r'href="http://testserver/accounts/export/files/([^"]+)/"', answer.content.decode()
    )
    assert export_named(listed[1]) == (export.pk, world.rita.pk)
    assert AuditEvent.objects.filter(action="residents.export.request", actor=world.rita).exists()
    assert AuditEvent.objects.filter(action="residents.export.ready").exists()

    got = rita.get(link)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    document = document_of(zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content))))
    assert document["account"]["username"] == "rita"

    assert bob.get(link).status_code == 404
    assertRedirects(
        Client().get(link), f"{reverse('account_login')}?next={link}", fetch_redirect_response=False
    )
    assert rita.get(link.replace("/files/", "/files/x")).status_code == 404


def test_asking_twice_builds_one_export(settings, world, lives):
    rita, _bob, _ = lives
    settings.SOLHOST_EXPORT_INLINE_ROWS = 1
    # Its build is queued when the request's transaction commits, which a test's never does:
    # the second request finds the first export still being built.
    rita.post(URL)
    rita.post(URL)
    export = AccountExport.objects.get()
    assert export.ready_at is None
    assertContains(rita.get(PAGE), "being prepared")


def test_an_expired_link_says_so_and_its_file_is_removed(
    settings, world, lives, django_capture_on_commit_callbacks
):
    rita, _bob, _ = lives
    settings.SOLHOST_EXPORT_INLINE_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        rita.post(URL)
    export = AccountExport.objects.get()
    link = export_url(export).removeprefix("http://testserver")
    later = export.expires_at

    assert actions.remove_expired_exports(now=later) == 1

    page = rita.get(link)
    assert page.status_code == 410
    assertContains(page, "This link has expired", status_code=410)
    assert not any(settings.SOLHOST_EXPORT_DIR.iterdir())
    assert AuditEvent.objects.filter(action="residents.export.remove").count() == 1
    assert actions.remove_expired_exports(now=later) == 0


def test_the_schema_is_published_beside_the_docs_that_explain_every_file():
    docs = Path(__file__).parents[3] / "docs"
    assert (docs / "resident-export.schema.json").resolve() == SCHEMA_PATH.resolve()
    explained = (docs / "leaving.md").read_text()
    assert [t.file_name for t in TABLES if f"`{t.file_name}`" not in explained] == []


@pytest.mark.parametrize(
    ("path", "choices"),
    [
        (("payments", "source"), Payment.Source.values),
        (("payments", "reversal_kind"), [None, *PaymentReversal.Kind.values]),
        (("memberships", "role"), Membership.Role.values),
        (("second_factors", "type"), Authenticator.Type.values),
        (("wind_down_cases", "state"), Case.State.values),
        (("how_to_leave", "account_move"), Service.AccountMove.values),
    ],
)
def test_the_schema_lists_every_value_the_region_stores(path, choices):
    table, field = path
    assert set(SCHEMA["properties"][table]["items"]["properties"][field]["enum"]) == set(choices)


def test_the_schema_lists_every_export_format_a_service_may_name():
    formats = SCHEMA["properties"]["how_to_leave"]["items"]["properties"]["export_formats"]
    assert formats["items"]["enum"] == list(EXPORT_FORMATS)


def test_the_schema_lists_every_pledge_frequency_and_status():
    (_, pledge) = SCHEMA["properties"]["pledge"]["oneOf"]
    assert set(pledge["properties"]["frequency"]["enum"]) == set(Pledge.Frequency.values)
    assert set(pledge["properties"]["status"]["enum"]) == set(Pledge.Status.values)
