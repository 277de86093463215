"""Every form a person can submit, filled with what no form expects: never a 500.

Each page is fetched as the persona who may use it and its forms are read from the HTML.
First every field, hidden ones included, is sent with a NUL character in it. Browsers
cannot type a NUL, so only a broken or hostile client sends one: it must be refused
(on the form, on the page or by the input guard), never stored and never a crash.
Then each field on its own, the others left as the page filled them, is sent with
values that look like numbers, dates or addresses and are not quite: each gets an
answer, never a crash.
"""

from inspect import signature
from urllib.parse import urlencode

import pytest
from allauth.account.internal.flows.login import (
    AUTHENTICATION_METHODS_SESSION_KEY as AUTHENTICATION_METHODS,
)
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from solhost.contributions.models import Payment
from solhost.distribution.payouts import make_payout_batch
from solhost.distribution.tests.test_close import october  # noqa: F401
from solhost.distribution.tests.test_payout_batches import owed  # noqa: F401
from solhost.governance.actions import create_proposal, open_proposal
from solhost.governance.models import Proposal
from solhost.identity.tests.oidc import authorize_params, make_client, sign_in_to
from solhost.identity.tests.test_password_reset import request_reset, reset_link
from solhost.identity.tests.test_session_claims import with_totp
from solhost.lores.models import LoresNode
from solhost.lores.tests.test_steward_page import node_server, synced  # noqa: F401
from solhost.qualification.tests.test_actions import submit
from solhost.qualification.tests.test_apply import apply_as
from solhost.test import PASSWORD
from solhost.tests.crawling import CSRF_FIELD, Form, FormFields
from solhost.winddown.actions import offer_for_handover, request_move
from solhost.winddown.models import Case, WindDown
from solhost.winddown.tests.helpers import closing_story
from solhost.winddown.tests.helpers import start as start_wind_down

HOSTILE = "x\x00y"
# What people and broken clients type into fields: digits Python's str.isdigit accepts
# and int() refuses, numbers too long for int() or for the database, floats that are not
# numbers, impossible dates, an address urllib can't split, and far too much text.
ODD_VALUES = [
    "",
    "²",
    "٣",
    "9" * 5000,
    "-99999999999999999999",
    "1e309",
    "NaN",
    "-0",
    "1,000",
    "2026-02-30",
    "10000-01-01",
    "http://[x/",
    "🙂",
    "a" * 20_000,
]


# Files people upload by mistake and files made to break a reader: nothing, binary, text
# in UTF-16 or behind a byte-order mark alone, numbers no reader takes, JSON nested past
# any parser's depth, an archive, a NUL, old Mac line endings, a cell past the csv
# module's size limit, JSON with nothing in it.
ODD_FILES = [
    b"",
    b"\x00\xff\xfe\x80binary",
    "when,watts\n2026-01-01T00:00:00Z,5\n".encode("utf-16"),
    b"\xef\xbb\xbf",
    b"9" * 5000,
    b"1e309",
    b"[" * 100_000,
    b"PK\x03\x04" + b"\x00" * 100,
    b"when,watts\n\x00,1\n",
    b"when,watts\r2026-01-01T00:00:00Z,5\r",
    b"when,watts\n2026-01-01T00:00:00Z," + b"9" * 200_000 + b"\n",
    b"{}",
    b"null",
]
# Names a browser would not send, or not send as is.
ODD_FILE_NAMES = ["../../x.csv", "🙂.json", "a" * 300 + ".csv"]


def row_counts() -> dict[str, int]:
    # Sign-ins write sessions and the audit trail; everything else must stay as it was.
    skipped = {"sessions.session", "core.auditevent", "identity.signedinsession"}
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in skipped and not model._meta.proxy
    }


def _draft(world) -> Proposal:
    return create_proposal(
        author=world.carol,
        organisation=world.cct,
        title="Longer outages",
        reasoning="Storms.",
        resolution="Plan for four days without the grid.",
        decision_type="consent",
    )


def _open_decision(world) -> str:
    proposal = open_proposal(proposal=_draft(world), actor=world.carol)
    return f"/governance/decisions/{proposal.pk}/"


def _closing(world) -> WindDown:
    """Merri Creek Computing winds down; Rita used its files service, so she has a case."""
    return start_wind_down(closing_story(world))


def _my_cases(world) -> str:
    _closing(world)
    return "/leaving/cases/"


def _closing_partner(world) -> str:
    _closing(world)
    return "/manage/mcc/wind-down/"


def _wind_downs(world) -> str:
    _closing(world)
    return "/steward/wind-downs/"


def _handover_offers(world) -> str:
    """Merri Creek Computing offers a server to the partners that stay."""
    offer_for_handover(wind_down=_closing(world), actor=world.alice, server=world.mcc_server)
    return "/handover/"


def _incoming_moves(world) -> str:
    """Rita asks to move from Merri Creek Computing's files to Coburg Commons Tech's."""
    _closing(world)
    case = Case.objects.get(resident=world.rita)
    request_move(case=case, resident=world.rita, service=world.cct_files)
    return "/manage/cct/incoming-moves/"


def _payout_batch(owed) -> str:  # noqa: F811
    batch = make_payout_batch(process_on=timezone.localdate(), actor=owed.sam)
    return f"/payouts/batches/{batch.pk}/"


def _give_back(october) -> str:  # noqa: F811
    payment = Payment.objects.get(reference__resident=october.rita)
    return f"/contribute/payments/{payment.pk}/give-back/"


def _lores_nodes(synced) -> str:  # noqa: F811
    """The steward's LoRes page with nodes waiting to be linked or dismissed."""
    assert LoresNode.objects.filter(link=LoresNode.Link.PROPOSED).exists()
    return "/steward/lores/"


def _consent(world) -> str:
    """Merri Creek Computing's files service asks Rita to agree to share her account."""
    return f"/oidc/authorize/?{urlencode(authorize_params(make_client(world.mcc_service)))}"


def _select_account(world) -> str:
    params = authorize_params(make_client(world.mcc_service), prompt="select_account")
    return f"/oidc/authorize/?{urlencode(params)}"


def _logout_confirm(world) -> str:
    """A service asks to sign Rita out with an ID token that is Alice's."""
    alice = Client()
    alice.force_login(world.alice)
    alices = sign_in_to(alice, make_client(world.mcc_service))
    return f"/oidc/logout/?{urlencode({'id_token_hint': alices['id_token']})}"


def _with_totp(world, page: str) -> str:
    with_totp(world.rita)
    return page


def _totp_off(world) -> str:
    return _with_totp(world, "/accounts/2fa/totp/deactivate/")


def _new_recovery_codes(world) -> str:
    return _with_totp(world, "/accounts/2fa/recovery-codes/generate/")


def _second_factor_again(world) -> str:
    return _with_totp(world, "/accounts/2fa/reauthenticate/")


def _second_sign_in_step(client, world) -> str:
    """Rita, who has an authenticator app, has given her password and is asked for a code."""
    with_totp(world.rita)
    client.post(reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD})
    return "/accounts/2fa/authenticate/"


def _new_password_from_mail(client, world, mailoutbox) -> str:
    """The form a password reset mail's link leads to (the link's key kept in the session)."""
    request_reset(client, "rita@example.org")
    return client.get(reset_link(mailoutbox[-1]), follow=True).redirect_chain[-1][0]


PAGES = [
    # persona, page (a callable when it needs a record made first: its arguments are
    # fixtures, as a test's are)
    ("alice", "/manage/mcc/edit/"),
    ("alice", "/manage/mcc/add-server/"),
    ("alice", "/manage/mcc/servers/mcc-1/"),
    ("alice", "/manage/mcc/servers/mcc-1/power/"),
    ("alice", "/manage/mcc/servers/mcc-1/telemetry/"),
    ("alice", "/manage/mcc/add-service/"),
    ("alice", "/manage/mcc/services/mcc-files/"),
    ("alice", "/manage/mcc/"),
    ("alice", "/manage/mcc/dossier/"),
    ("alice", "/manage/mcc/dossier/years/add/"),
    ("alice", "/manage/mcc/dossier/evidence/add/"),
    ("alice", "/manage/mcc/dossier/import/"),
    ("alice", "/manage/mcc/sponsorship/"),
    ("rita", "/contribute/"),
    ("rita", "/apply/"),
    ("rita", "/accounts/connected/"),
    ("sam", "/contribute/payments/"),
    ("sam", "/payouts/"),
    ("carol", "/governance/propose/"),
    ("carol", lambda world: f"/governance/decisions/{_draft(world).pk}/draft/"),
    ("alice", _open_decision),
    ("alice", "/manage/mcc/services/mcc-files/clients/"),
    ("sam", lambda world: f"/qualification/review/evidence/{submit(world).pk}/"),
    ("sam", lambda world: apply_as(world) and "/qualification/review/"),
    (None, "/services/"),
    (None, "/accounts/login/"),
    (None, "/accounts/signup/"),
    (None, "/accounts/password/reset/"),
    ("rita", "/accounts/delete/"),
    ("rita", "/accounts/data/"),
    ("rita", "/accounts/password/change/"),
    ("rita", "/accounts/email/"),
    ("rita", "/accounts/reauthenticate/"),
    ("rita", "/contribute/pledge/"),
    ("sam", "/contribute/payments/statement/"),
    ("alice", "/statements/mcc/bank-account/"),
    ("sam", "/closes/"),
    ("sam", "/closes/2026-11/"),
    ("alice", "/manage/mcc/wind-down/"),
    ("alice", "/manage/mcc/status/"),
    ("rita", _my_cases),
    ("alice", _closing_partner),
    ("sam", _wind_downs),
    ("carol", _handover_offers),
    ("carol", _incoming_moves),
    ("sam", _payout_batch),
    ("sam", _give_back),
    ("sam", _lores_nodes),
    ("sam", "/steward/sites/"),
    ("rita", "/accounts/"),
    ("rita", "/contribute/solidarity/"),
    ("rita", _consent),
    ("rita", _select_account),
    ("rita", _logout_confirm),
    ("rita", "/accounts/2fa/"),
    ("rita", "/accounts/2fa/totp/activate/"),
    ("rita", "/accounts/2fa/webauthn/add/"),
    ("rita", _totp_off),
    ("rita", _new_recovery_codes),
    ("rita", _second_factor_again),
    (None, _second_sign_in_step),
    (None, _new_password_from_mail),
]
# Pages with a form that takes a file.
FILE_PAGES = {
    "/manage/mcc/servers/mcc-1/telemetry/",
    "/manage/mcc/dossier/evidence/add/",
    "/manage/mcc/dossier/import/",
    "/contribute/payments/",
    "/contribute/payments/statement/",
    "/apply/",
}
# Pages that let a resident in only just after giving their password again.
ASK_FOR_THE_PASSWORD_AGAIN = {
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/2fa/totp/deactivate/",
    "/accounts/2fa/recovery-codes/generate/",
}
IDS = [p if isinstance(p, str) else p.__name__ for _, p in PAGES]


def address_of(page, request) -> str:
    if not callable(page):
        return page
    return page(**{name: request.getfixturevalue(name) for name in signature(page).parameters})


def sign_in(client, world, persona, url: str) -> None:
    """``persona`` signed in afresh (None: a visitor). An earlier submission may have
    signed them out: every page has the header's sign-out form."""
    if persona is None:
        return
    client.force_login(getattr(world, persona))
    # Only when the session has no record of it: re-authenticating is rate limited.
    if url in ASK_FOR_THE_PASSWORD_AGAIN and not client.session.get(AUTHENTICATION_METHODS):
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def forms_on(client, world, persona, page, request) -> tuple[str, list[Form]]:
    """The address of ``page`` and its forms, as ``persona`` (None: a visitor) sees them."""
    url = address_of(page, request)
    sign_in(client, world, persona, url)
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormFields()
    parser.feed(response.content.decode())
    assert parser.forms, f"no form on {url}"
    return url, parser.forms


def send(client, world, persona, form: Form, url: str, data: dict):
    """``data`` sent from ``form`` on ``url`` as ``persona``, signed in afresh."""
    sign_in(client, world, persona, url)
    target = form.action or url
    return client.post(target, data) if form.method == "post" else client.get(target, data)


@pytest.mark.parametrize(("persona", "page"), PAGES, ids=IDS)
def test_every_field_of_every_form_refuses_a_nul(client, world, persona, page, request):
    url, forms = forms_on(client, world, persona, page, request)
    for form in forms:
        # The test client doesn't check CSRF tokens, so what one holds changes nothing here.
        names = {*form.fields, *(name for name, _ in form.buttons)} - {CSRF_FIELD}
        if not names:
            continue  # a button alone (sign out, open a proposal): nothing to put a NUL in
        before = row_counts()
        sent = send(client, world, persona, form, url, dict.fromkeys(names, HOSTILE))
        assert sent.status_code < 500, (form.action or url, sorted(names))
        assert row_counts() == before, (form.action or url, sorted(names))


@pytest.mark.parametrize(("persona", "page"), PAGES, ids=IDS)
def test_every_field_of_every_form_answers_odd_values(client, world, persona, page, request):
    url, forms = forms_on(client, world, persona, page, request)
    # Every crash is collected and named, rather than the first raised.
    client.raise_request_exception = False
    crashed = []
    for form in forms:
        for button in form.buttons or [None]:
            pressed = dict([button]) if button else {}
            for name in sorted({*form.fields, *pressed} - {CSRF_FIELD}):
                for value in ODD_VALUES:
                    data = {**form.fields, **pressed, name: value}
                    if send(client, world, persona, form, url, data).status_code >= 500:
                        crashed.append((form.action or url, button, name, value[:20]))
    assert not crashed


@pytest.mark.parametrize(
    ("persona", "page"),
    [(persona, page) for persona, page in PAGES if page in FILE_PAGES],
    ids=[page for _, page in PAGES if page in FILE_PAGES],
)
def test_every_file_field_answers_odd_files(client, world, persona, page, request):
    url, forms = forms_on(client, world, persona, page, request)
    client.raise_request_exception = False
    crashed = []
    uploads = [(f"odd{n}.txt", content) for n, content in enumerate(ODD_FILES)]
    uploads += [(name, b"when,watts\n") for name in ODD_FILE_NAMES]
    for form in (form for form in forms if form.files):
        for button in form.buttons or [None]:
            pressed = dict([button]) if button else {}
            for name in form.files:
                for file_name, content in uploads:
                    upload = SimpleUploadedFile(file_name, content)
                    data = {**form.fields, **pressed, name: upload}
                    if send(client, world, persona, form, url, data).status_code >= 500:
                        crashed.append((form.action or url, button, name, file_name))
    assert not crashed
