"""Every form a person can submit, filled with text no database can take: no 500, no row.

Each page is fetched as the persona who may use it, its forms are read from the HTML,
and every field, hidden ones included, is sent with a NUL character in it. Browsers
cannot type a NUL, so only a broken or hostile client sends one: it must be refused
(on the form, on the page or by the input guard), never stored and never a crash.
"""

from html.parser import HTMLParser

import pytest
from django.apps import apps

from solhost.governance.actions import create_proposal, open_proposal
from solhost.governance.models import Proposal
from solhost.qualification.tests.test_actions import submit
from solhost.qualification.tests.test_apply import apply_as

HOSTILE = "x\x00y"


class FormFields(HTMLParser):
    """The ``(action, method, field names)`` of each form on a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                (attributes.get("action") or "", (attributes.get("method") or "get").lower(), set())
            )
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            name = attributes.get("name")
            if name and attributes.get("type") != "file":
                self.forms[-1][2].add(name)


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


PAGES = [
    # persona, page (a callable when it needs a record made first)
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
]


@pytest.mark.parametrize(
    ("persona", "page"), PAGES, ids=[p if isinstance(p, str) else p.__name__ for _, p in PAGES]
)
def test_every_field_of_every_form_refuses_a_nul(client, world, persona, page):
    if persona is not None:
        client.force_login(getattr(world, persona))
    url = page(world) if callable(page) else page
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormFields()
    parser.feed(response.content.decode())
    assert parser.forms, f"no form on {url}"
    for action, method, fields in parser.forms:
        target = action or url
        before = row_counts()
        data = dict.fromkeys(fields, HOSTILE)
        sent = client.post(target, data) if method == "post" else client.get(target, data)
        assert sent.status_code < 500, (target, sorted(fields))
        assert row_counts() == before, (target, sorted(fields))
