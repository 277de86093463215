"""Front-Channel Logout 1.0: the page a browser lands on after signing out of the region
frames each service that browser's session signed in to, with ``iss`` and ``sid``, under
a policy that frames nothing else."""

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from solhost.identity import actions
from solhost.identity.models import ServiceClient, SignedInSession
from solhost.identity.subjects import sid_for
from solhost.identity.tests.oidc import REDIRECT, authorize_params, make_client, sign_in_to
from solhost.identity.tests.test_backchannel_logout import log_in
from solhost.web.tests.pages import assert_clean_page, visible_text

FILES_LOGOUT = "https://files.mcc.example.org/apps/user_oidc/frontchannel-logout?from=region"
CHAT_LOGOUT = "https://chat.cct.example.org/logout"
AFTER = "https://files.mcc.example.org/"
RP_LOGOUT = reverse("oauth2_provider:rp-initiated-logout")
SIGNED_OUT = reverse("identity:signed_out")
IFRAME = re.compile(r"<iframe\b[^>]*>", re.I)


def client_framing(service, uri: str, *, session_required: bool = True):
    registered = actions.register_client(
        service=service,
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=[AFTER],
        public=False,
        actor=None,
        frontchannel_logout_uri=uri,
        frontchannel_logout_session_required=session_required,
    )
    actions.approve_client(client=registered.client, steward=None)
    return registered


def frames(page) -> list[str]:
    """The addresses the page frames, as the browser loads them."""
    tags = IFRAME.findall(page.content.decode())
    return [html.unescape(re.search(r'src="([^"]*)"', tag).group(1)) for tag in tags]


def frame_sources(page) -> list[str]:
    """What the page's Content-Security-Policy lets it frame."""
    policy = page["Content-Security-Policy"]
    (directive,) = [d.split() for d in policy.split(";") if d.split()[:1] == ["frame-src"]]
    return directive[1:]


def issuer() -> str:
    return Client().get("/.well-known/openid-configuration").json()["issuer"]


def session_params(sid, registered) -> str:
    """The query a frame adds: the session as the client's co-op saw it."""
    return urlencode({"iss": issuer(), "sid": sid_for(sid, registered.client)})


def signed_out_page(browser: Client, answer):
    assert answer.status_code == 302 and answer["Location"] == SIGNED_OUT, answer
    page = browser.get(SIGNED_OUT)
    assert page.status_code == 200
    return page


def test_signing_out_frames_each_service_this_session_signed_in_to(world):
    nextcloud = client_framing(world.mcc_service, FILES_LOGOUT)
    chat = client_framing(world.cct_service, CHAT_LOGOUT)
    without_front_channel = make_client(world.mcc_service)
    laptop, phone = log_in("rita@example.org"), log_in("rita@example.org")
    sign_in_to(laptop, nextcloud)
    sign_in_to(laptop, without_front_channel)
    sign_in_to(phone, chat)
    laptops_sid = SignedInSession.objects.get(session_key=laptop.session.session_key).sid
    phones_sid = SignedInSession.objects.get(session_key=phone.session.session_key).sid

    page = signed_out_page(laptop, laptop.post(reverse("account_logout")))

    # Only the service the laptop signed in to, not the phone's, and the registered
    # address's own query is kept.
    (frame,) = frames(page)
    assert frame.startswith("https://files.mcc.example.org/apps/user_oidc/frontchannel-logout?")
    query = parse_qs(urlsplit(frame).query)
    assert query == {
        "from": ["region"],
        "iss": [issuer()],
        "sid": [sid_for(laptops_sid, nextcloud.client)],
    }
    assert frame_sources(page) == ["https://files.mcc.example.org"]
    assert_clean_page(page)
    (tag,) = IFRAME.findall(page.content.decode())
    assert " hidden" in tag and 'aria-hidden="true"' in tag
    assert f'title="Signing you out of {world.mcc_service.name}"' in tag
    words = visible_text(page.content.decode())
    assert "You are signed out" in words
    assert f"to sign you out too: {world.mcc_service.name}" in words
    assert world.cct_service.name not in words
    assert "signed-out.js" not in page.content.decode()
    assert "_auth_user_id" not in laptop.session
    # Shown once: the frames went with the page.
    assert laptop.get(SIGNED_OUT)["Location"] == reverse("web:home")

    page = signed_out_page(phone, phone.post(reverse("account_logout")))

    assert frames(page) == [f"{CHAT_LOGOUT}?{session_params(phones_sid, chat)}"]
    assert frame_sources(page) == ["https://chat.cct.example.org"]


def test_a_service_that_does_not_ask_for_the_session_is_framed_as_registered(world):
    nextcloud = client_framing(world.mcc_service, FILES_LOGOUT, session_required=False)
    rita = log_in("rita@example.org")
    sign_in_to(rita, nextcloud)

    page = signed_out_page(rita, rita.post(reverse("account_logout")))

    assert frames(page) == [FILES_LOGOUT]


def test_without_front_channel_services_signing_out_goes_where_it_did(world):
    rita = log_in("rita@example.org")
    sign_in_to(rita, make_client(world.mcc_service))

    answer = rita.post(reverse("account_logout"))

    assert answer["Location"] == "/"


def test_a_service_signing_the_resident_out_gets_them_back_after_the_frames(world):
    nextcloud = client_framing(world.mcc_service, FILES_LOGOUT)
    chat = client_framing(world.cct_service, CHAT_LOGOUT)
    rita = log_in("rita@example.org")
    files = sign_in_to(rita, nextcloud)
    sign_in_to(rita, chat)
    sid = SignedInSession.objects.get(user=world.rita).sid
    params = {"id_token_hint": files["id_token"], "post_logout_redirect_uri": AFTER}

    page = signed_out_page(rita, rita.get(RP_LOGOUT, {**params, "state": "bye"}))

    # The service that asked is framed too: its browser-side session may outlive the
    # tokens the region has just revoked.
    assert frames(page) == [
        f"{CHAT_LOGOUT}?{session_params(sid, chat)}",
        f"{FILES_LOGOUT}&{session_params(sid, nextcloud)}",
    ]
    assert frame_sources(page) == ["https://chat.cct.example.org", "https://files.mcc.example.org"]
    assert_clean_page(page)
    content = page.content.decode()
    assert f'href="{AFTER}?state=bye" data-continue-after-sign-out' in content
    assert f"Continue to {world.mcc_service.name}" in visible_text(content)
    assert "/static/js/signed-out.js" in content
    assert page["Cache-Control"] == "no-store"


def test_ending_this_browsers_own_session_on_the_connected_page_frames_its_services(world):
    nextcloud = client_framing(world.mcc_service, FILES_LOGOUT)
    chat = client_framing(world.cct_service, CHAT_LOGOUT)
    laptop, phone = log_in("rita@example.org"), log_in("rita@example.org")
    sign_in_to(laptop, nextcloud)
    sign_in_to(phone, chat)
    laptops = SignedInSession.objects.get(session_key=laptop.session.session_key)

    answer = laptop.post(reverse("identity:end_session", args=[laptops.pk]))
    page = signed_out_page(laptop, answer)

    assert frames(page) == [f"{FILES_LOGOUT}&{session_params(laptops.sid, nextcloud)}"]
    assert frame_sources(page) == ["https://files.mcc.example.org"]
    assert f'href="{reverse("account_login")}"' in page.content.decode()
    assert_clean_page(page)
    # Signed out, on a session of its own: the phone's stays.
    assert "_auth_user_id" not in laptop.session
    assert laptop.session.session_key != laptops.session_key
    assert laptop.get(reverse("identity:connected")).status_code == 302
    assert phone.get(reverse("identity:connected")).status_code == 200


def test_ending_this_browsers_own_session_without_front_channel_services_goes_to_sign_in(
    world,
):
    rita = log_in("rita@example.org")
    sign_in_to(rita, make_client(world.mcc_service))
    own = SignedInSession.objects.get(session_key=rita.session.session_key)

    answer = rita.post(reverse("identity:end_session", args=[own.pk]))

    assert answer["Location"] == reverse("account_login")
    assert "_auth_user_id" not in rita.session
    assert not SignedInSession.objects.filter(pk=own.pk).exists()


def test_discovery_advertises_front_channel_logout(db):
    config = Client().get("/.well-known/openid-configuration").json()

    assert config["frontchannel_logout_supported"] is True
    assert config["frontchannel_logout_session_supported"] is True


CLIENTS = reverse("identity:service_clients", args=["mcc", "mcc-files"])


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("ftp://files.example.org/logout", "is not a web address"),
        ("javascript:alert(1)", "is not a web address"),
        ("http://files.example.org/logout", "must start with https://"),
        ("https://files.example.org/logout#x", "cannot hold a #fragment"),
        # A bracketed host that isn't one, which the address parser refuses outright.
        ("https://[files.example.org/logout", "is not a web address"),
    ],
)
def test_a_bad_front_channel_address_is_refused_at_registration(client, world, uri, problem):
    client.force_login(world.alice)

    page = client.post(CLIENTS, {"redirect_uris": REDIRECT, "frontchannel_logout_uri": uri})

    assert page.status_code == 400
    assert problem in page.content.decode()
    assert not world.mcc_service.oidc_clients.exists()


def test_a_production_region_refuses_a_loopback_front_channel_address(client, world, settings):
    client.force_login(world.alice)
    loopback = {"redirect_uris": REDIRECT, "frontchannel_logout_uri": "http://127.0.0.1:8080/x"}
    settings.SECURE_SITE = True

    page = client.post(CLIENTS, loopback)

    assert page.status_code == 400
    assert "loopback" in page.content.decode()
    assert not world.mcc_service.oidc_clients.exists()


def test_a_demo_region_takes_a_loopback_front_channel_address(client, world):
    client.force_login(world.alice)

    page = client.post(
        CLIENTS,
        {
            "redirect_uris": REDIRECT,
            "frontchannel_logout_uri": "http://127.0.0.1:8080/frontchannel-logout",
            "frontchannel_logout_session_required": "on",
        },
    )

    assert page.status_code == 200
    registered = world.mcc_service.oidc_clients.get()
    assert registered.frontchannel_logout_uri == "http://127.0.0.1:8080/frontchannel-logout"
    assert registered.frontchannel_logout_session_required is True
    assert "http://127.0.0.1:8080/frontchannel-logout" in page.content.decode()


def test_the_steward_cannot_give_a_client_a_bad_front_channel_address(world):
    client = ServiceClient.objects.get(pk=make_client(world.mcc_service).client.pk)
    client.frontchannel_logout_uri = "http://files.mcc.example.org/logout"

    with pytest.raises(ValidationError) as refused:
        client.clean()

    assert "frontchannel_logout_uri" in refused.value.message_dict


def test_signing_out_to_use_another_account_goes_on_to_the_service_after_the_frames(world):
    # prompt=select_account: the resident chose another account, so the signed-out page
    # continues to the service's sign-in by itself once the frames have loaded.
    nextcloud = client_framing(world.mcc_service, FILES_LOGOUT)
    rita = log_in("rita@example.org")
    sign_in_to(rita, nextcloud)
    chooser = rita.get(
        reverse("oauth2_provider:authorize"), authorize_params(nextcloud, prompt="select_account")
    )
    onward = chooser.context["continue_url"]

    page = signed_out_page(rita, rita.post(reverse("account_logout"), {"next": onward}))

    content = page.content.decode()
    assert frames(page) and frames(page)[0].startswith(FILES_LOGOUT)
    assert f'href="{html.escape(onward)}" data-continue-after-sign-out' in content
    assert f"Continue to {world.mcc_service.name}" in visible_text(content)
    assert "/static/js/signed-out.js" in content
