"""Whatever a service, a browser or an attacker sends the provider's endpoints, the answer
is a protocol error or a page, never a server error.

Each request mixes real values (a registered client, its redirect URI and secret, a code,
tokens, an ID token) with missing ones and arbitrary text, in every parameter the endpoint
reads and in some it doesn't. The examples are the same on every run, so a red run can be
replayed.
"""

import base64

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oauth2_provider.models import Grant

from solhost.identity.tests.oidc import (
    REDIRECT,
    authorize_params,
    basic_auth,
    consent,
    consent_form_data,
    exchange,
    make_client,
    pkce_pair,
    query_of,
)

HOSTILE = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text a form or query can carry (lone surrogates cannot be encoded at all), including
# NUL, which PostgreSQL refuses in text, the characters URLs and JWTs are built from, and
# addresses that only look like addresses.
arbitrary_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80
) | st.sampled_from(
    [
        *("", " ", "\x00", "a" * 2000, "%", "..", "\u202e", "{}", "null"),
        # Addresses urllib can't read: an unclosed bracket, a port past 65535.
        *("https://[files.mcc.example.org/", "https://files.mcc.example.org:99999/"),
    ]
)


def one_of_or_garbage(*real):
    """A real value, or arbitrary text, or nothing at all (the parameter left out)."""
    return st.one_of(st.sampled_from(real), arbitrary_text, st.none())


def parameters(**fields):
    """Each field's value drawn from its strategy, those drawn as None left out, and
    sometimes a parameter no endpoint knows."""
    return st.fixed_dictionaries(
        fields, optional={"unexpected": arbitrary_text, "": arbitrary_text}
    ).map(lambda drawn: {key: value for key, value in drawn.items() if value is not None})


@pytest.fixture
def signed_in(world):
    """Rita's browser, signed in, with a client she has agreed to and what it was issued."""
    browser = Client()
    browser.force_login(world.rita)
    registered = make_client(world.mcc_service)
    public = make_client(world.mcc_service, public=True)
    code = consent(browser, authorize_params(registered, scope="openid offline_access"))["code"]
    tokens = exchange(browser, registered, code).json()
    return browser, registered, public, tokens


# "é" sent as UTF-8, as a server reads a header's bytes (ISO-8859-1): no base64.
NOT_ASCII_BASIC = "Basic " + "é".encode().decode("latin-1")


def assert_answered(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])


def authorization_headers(registered, public):
    return st.sampled_from(
        [
            {},
            basic_auth(registered),
            basic_auth(public),
            {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"\x00:\xff").decode()},
            {"HTTP_AUTHORIZATION": "Basic not-base64!"},
            {"HTTP_AUTHORIZATION": NOT_ASCII_BASIC},
            {"HTTP_AUTHORIZATION": "Bearer"},
        ]
    )


@pytest.mark.django_db
def test_the_authorization_endpoint(signed_in):
    browser, registered, public, tokens = signed_in
    _, challenge = pkce_pair()
    clients = (registered.client.client_id, public.client.client_id)

    @HOSTILE
    @given(
        params=parameters(
            response_type=one_of_or_garbage("code", "token", "code id_token", "none"),
            client_id=one_of_or_garbage(*clients),
            redirect_uri=one_of_or_garbage(REDIRECT, "https://elsewhere.example/"),
            scope=one_of_or_garbage(
                "openid", "openid profile email groups", "offline_access", "openid phone x"
            ),
            state=one_of_or_garbage("s"),
            nonce=one_of_or_garbage("n"),
            prompt=one_of_or_garbage(
                "none",
                "login",
                "consent",
                "none login",
                "select_account",
                "select_account login consent",
                "create",
                "create none",
            ),
            max_age=one_of_or_garbage("0", "10", "-1", "99999999999999999999"),
            acr_values=one_of_or_garbage("urn:solhost:acr:mfa", "x"),
            claims=one_of_or_garbage(
                '{"id_token": {"acr": {"essential": true}}}',
                '{"id_token": {"acr": {"essential": true, "values": ["urn:x"]}}}',
                '{"id_token": {"sub": {"value": "someone"}}}',
                "[1]",
                "{",
            ),
            id_token_hint=one_of_or_garbage(tokens["id_token"], "a.b.c", "e30.e30.e30"),
            request=one_of_or_garbage("eyJhbGciOiJub25lIn0.e30."),
            request_uri=one_of_or_garbage("https://elsewhere.example/r"),
            code_challenge=one_of_or_garbage(challenge),
            code_challenge_method=one_of_or_garbage("S256", "plain"),
            response_mode=one_of_or_garbage("query", "form_post", "fragment"),
            login_hint=one_of_or_garbage("rita@example.org"),
        ),
        method=st.sampled_from(["get", "post", "consent"]),
        anonymous=st.booleans(),
    )
    def check(params, method, anonymous):
        # By POST as a service's form sends it (answered as a GET), or as the consent
        # form (its CSRF field present, which this test client does not check); from
        # Rita's browser or from one signed in to no one (sign-in, sign-up, prompt=none).
        if method == "consent":
            params = {**params, "allow": "Authorize", "csrfmiddlewaretoken": "x"}
        sender = Client() if anonymous else browser
        send = sender.get if method == "get" else sender.post
        answer = send(reverse("oauth2_provider:authorize"), params)
        assert_answered(answer)
        if answer.status_code == 303:
            assert_answered(sender.get(answer["Location"]))

    check()


@pytest.mark.django_db
def test_the_token_endpoint(signed_in):
    browser, registered, public, tokens = signed_in
    verifier, _ = pkce_pair()

    @HOSTILE
    @given(
        data=parameters(
            grant_type=one_of_or_garbage(
                "authorization_code", "refresh_token", "client_credentials", "password"
            ),
            code=one_of_or_garbage("never-issued"),
            redirect_uri=one_of_or_garbage(REDIRECT),
            code_verifier=one_of_or_garbage(verifier),
            refresh_token=one_of_or_garbage(tokens["refresh_token"]),
            client_id=one_of_or_garbage(registered.client.client_id, public.client.client_id),
            client_secret=one_of_or_garbage(registered.secret),
            scope=one_of_or_garbage("openid", "openid offline_access"),
            username=one_of_or_garbage("rita"),
            password=arbitrary_text,
        ),
        headers=authorization_headers(registered, public),
    )
    def check(data, headers):
        assert_answered(browser.post(reverse("oauth2_provider:token"), data, **headers))

    check()


@pytest.mark.django_db
def test_the_userinfo_revocation_and_introspection_endpoints(signed_in):
    browser, registered, public, tokens = signed_in
    real = (tokens["access_token"], tokens["refresh_token"], tokens["id_token"])

    @HOSTILE
    @given(
        endpoint=st.sampled_from(["user-info", "revoke-token", "introspect"]),
        data=parameters(
            token=one_of_or_garbage(*real),
            token_type_hint=one_of_or_garbage("access_token", "refresh_token", "id_token"),
            access_token=one_of_or_garbage(tokens["access_token"]),
        ),
        headers=authorization_headers(registered, public)
        | st.sampled_from(
            [
                {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"},
                {"HTTP_AUTHORIZATION": "Bearer \x01"},
            ]
        ),
        method=st.sampled_from(["get", "post"]),
    )
    def check(endpoint, data, headers, method):
        url = reverse(f"oauth2_provider:{endpoint}")
        assert_answered(getattr(browser, method)(url, data, **headers))

    check()


@pytest.mark.django_db
def test_the_logout_endpoint(signed_in):
    browser, registered, _, tokens = signed_in
    anonymous = Client()

    @HOSTILE
    @given(
        params=parameters(
            id_token_hint=one_of_or_garbage(tokens["id_token"], "a.b.c", "e30.e30.e30"),
            client_id=one_of_or_garbage(registered.client.client_id),
            post_logout_redirect_uri=one_of_or_garbage(
                "https://files.mcc.example.org/", "https://elsewhere.example/"
            ),
            state=one_of_or_garbage("s"),
            ui_locales=arbitrary_text,
        ),
        who=st.sampled_from([browser, anonymous]),
        method=st.sampled_from(["get", "post"]),
    )
    def check(params, who, method):
        if method == "post":
            params = {**params, "allow": "Yes"}
        assert_answered(
            getattr(who, method)(reverse("oauth2_provider:rp-initiated-logout"), params)
        )

    check()


# What the examples above found, each pinned by name.


@pytest.mark.django_db
def test_a_consent_form_without_its_fields_is_refused_naming_them(signed_in):
    browser, registered, _, _ = signed_in

    response = browser.post(
        reverse("oauth2_provider:authorize"),
        {
            "client_id": registered.client.client_id,
            "allow": "Authorize",
            "csrfmiddlewaretoken": "from the page",
        },
    )

    assert response.status_code == 400
    assert "The consent form came back without redirect_uri, response_type, scope." in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_a_consent_form_for_an_unknown_client_is_refused(signed_in):
    browser, registered, _, _ = signed_in
    form = {
        **authorize_params(registered),
        "allow": "Authorize",
        "client_id": "no-such-client",
        "csrfmiddlewaretoken": "from the page",
    }

    response = browser.post(reverse("oauth2_provider:authorize"), form)

    assert response.status_code == 400
    assert "The consent form names no registered service." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims",
    ["[" * 5000, '{"id_token": ' + "[" * 5000, "{" * 3],
    ids=["a list thousands deep", "an object thousands deep", "unclosed"],
)
def test_a_consent_form_with_claims_no_json_reader_can_follow_asks_for_none(signed_in, claims):
    browser, registered, _, _ = signed_in
    browser.raise_request_exception = False
    page = browser.get(
        reverse("oauth2_provider:authorize"), authorize_params(registered, prompt="consent")
    )
    form = {**consent_form_data(page), "claims": claims, "allow": "Authorize"}

    response = browser.post(reverse("oauth2_provider:authorize"), form)

    assert response.status_code == 302 and "code=" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [{"allow": "Authorize"}, {}])
@pytest.mark.parametrize(
    "redirect_uri", ["https://elsewhere.example.org/cb", "https://[files.mcc.example.org/"]
)
def test_a_consent_form_sent_back_with_another_redirect_uri_goes_nowhere(
    signed_in, answer, redirect_uri
):
    browser, registered, _, _ = signed_in
    page = browser.get(
        reverse("oauth2_provider:authorize"), authorize_params(registered, prompt="consent")
    )
    changed = {**consent_form_data(page), "redirect_uri": redirect_uri, **answer}

    response = browser.post(reverse("oauth2_provider:authorize"), changed)

    # Not even a refusal goes to an address the service never registered.
    assert response.status_code == 400
    assert "Location" not in response
    assert "Its redirect_uri is not one the service registered." in response.content.decode()


NOT_A_CHALLENGE = (
    "code_challenge must be the SHA-256 of the code_verifier in base64url without padding: "
    "43 characters (RFC 7636 §4.2)."
)
# What no code can carry: DOT stores them in columns of fixed length, which PostgreSQL
# holds to (a server error there, where SQLite took them).
UNCARRIABLE = [
    ({"nonce": "n" * 256}, "nonce must be at most 255 characters."),
    ({"code_challenge_method": "S256-and-more"}, "code_challenge_method must be S256."),
    ({"code_challenge": "c" * 200, "code_challenge_method": "S256"}, NOT_A_CHALLENGE),
    ({"code_challenge": "c" * 42 + "=", "code_challenge_method": "S256"}, NOT_A_CHALLENGE),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("parameters", "problem"), UNCARRIABLE)
def test_a_request_no_code_can_carry_goes_back_as_invalid_request(signed_in, parameters, problem):
    browser, registered, _, _ = signed_in  # agreed before: a code would follow at once
    Grant.objects.all().delete()

    response = browser.get(
        reverse("oauth2_provider:authorize"), authorize_params(registered, **parameters)
    )

    assert response.status_code == 302
    assert query_of(response)["error"] == "invalid_request"
    assert query_of(response)["error_description"] == problem
    assert not Grant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("parameters", "problem"), UNCARRIABLE)
def test_a_consent_form_changed_to_what_no_code_can_carry_is_refused(
    signed_in, parameters, problem
):
    browser, registered, _, _ = signed_in
    Grant.objects.all().delete()
    page = browser.get(
        reverse("oauth2_provider:authorize"), authorize_params(registered, prompt="consent")
    )
    changed = {**consent_form_data(page), **parameters, "allow": "Authorize"}

    response = browser.post(reverse("oauth2_provider:authorize"), changed)

    assert response.status_code == 400
    assert f"The consent form came back changed. {problem}" in response.content.decode()
    assert not Grant.objects.exists()


def _unsigned_token(payload: bytes) -> str:
    """A token shaped like a JWS (header, payload, signature), signed by no one."""
    parts = (b'{"alg": "RS256"}', payload, b"signature")
    return ".".join(base64.urlsafe_b64encode(part).rstrip(b"=").decode() for part in parts)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload", [b"not json", b"[1, 2]", b'"aud"', b'{"aud": 7}', b'{"aud": {"x": 1}}']
)
def test_a_logout_hint_that_is_no_id_token_is_refused_and_signs_nothing_out(signed_in, payload):
    browser, registered, _, _ = signed_in

    response = browser.get(
        reverse("oauth2_provider:rp-initiated-logout"),
        {"id_token_hint": _unsigned_token(payload), "client_id": registered.client.client_id},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This sign-out cannot go ahead" in page
    assert "Nothing was signed out." in page
    assert browser.get(reverse("identity:connected")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["token", "introspect", "revoke-token"])
def test_basic_credentials_that_are_not_ascii_are_answered_as_a_wrong_secret(signed_in, endpoint):
    browser, registered, _, tokens = signed_in
    data = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "token": tokens["access_token"],
    }
    url = reverse(f"oauth2_provider:{endpoint}")
    wrong = "Basic " + base64.b64encode(f"{registered.client.client_id}:wrong".encode()).decode()

    unreadable = browser.post(url, data, HTTP_AUTHORIZATION=NOT_ASCII_BASIC)
    wrong_secret = browser.post(url, data, HTTP_AUTHORIZATION=wrong)

    assert unreadable.status_code == wrong_secret.status_code
    assert unreadable.status_code in (401, 403)
    assert unreadable.content == wrong_secret.content
    # Nothing was refreshed or revoked: the access token still works.
    userinfo = browser.get(
        reverse("oauth2_provider:user-info"),
        HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}",
    )
    assert userinfo.status_code == 200


@pytest.mark.django_db
def test_a_nul_in_a_token_request_is_an_invalid_request_naming_the_parameter(signed_in):
    browser, registered, _, _ = signed_in

    response = browser.post(
        reverse("oauth2_provider:token"),
        {"grant_type": "authorization_code", "code": "abc\x00", "redirect_uri": REDIRECT},
        **basic_auth(registered),
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Parameter 'code' contains a NUL character (U+0000).",
    }


@pytest.mark.django_db
def test_a_partners_client_registration_form(world):
    """Whatever the form holds, a client is registered only from valid addresses, and
    anything else is a page of named problems."""
    partner = Client()
    partner.force_login(world.alice)
    url = reverse(
        "identity:service_clients",
        kwargs={"slug": world.mcc.slug, "service_slug": world.mcc_service.slug},
    )
    uri = one_of_or_garbage(
        "https://files.mcc.example.org/apps/user_oidc/code",
        "http://127.0.0.1:8080/cb",
        "com.example.app:/callback",
        "https://files.mcc.example.org/cb#fragment",
        "javascript:alert(1)",
        "https://files.mcc.example.org/a\nhttps://files.mcc.example.org/b",
        "https://[files.mcc.example.org/logout",
    )

    @HOSTILE
    @given(
        form=parameters(
            redirect_uris=uri,
            post_logout_redirect_uris=uri,
            backchannel_logout_uri=uri,
            frontchannel_logout_uri=uri,
            public=one_of_or_garbage("on", "true"),
            backchannel_logout_session_required=one_of_or_garbage("on"),
            frontchannel_logout_session_required=one_of_or_garbage("on"),
        )
    )
    def check(form):
        before = world.mcc_service.oidc_clients.count()
        response = partner.post(url, form)
        assert_answered(response)
        registered = world.mcc_service.oidc_clients.count() - before
        assert (response.status_code, registered) in ((200, 1), (400, 0))

    check()


@pytest.mark.django_db
def test_a_residents_connected_page_actions(signed_in):
    browser, _, _, _ = signed_in

    @HOSTILE
    @given(
        action=st.sampled_from(["identity:disconnect", "identity:end_session"]),
        number=st.integers(min_value=0, max_value=2**70) | st.sampled_from([2**63, 2**64]),
        method=st.sampled_from(["get", "post"]),
    )
    def check(action, number, method):
        key = "client_id" if action == "identity:disconnect" else "session_id"
        url = reverse(action, kwargs={key: number})
        response = getattr(browser, method)(url)
        assert_answered(response)

    check()


@pytest.mark.django_db
def test_a_consent_form_holding_a_nul_character_is_refused_by_name(signed_in):
    # Found by the examples above on PostgreSQL: the consent form's client_id is read
    # before any Django form checks it, and PostgreSQL can't compare text holding NUL.
    browser, registered, _public, _tokens = signed_in
    form = {
        **consent_form_data(
            browser.get(reverse("oauth2_provider:authorize"), authorize_params(registered))
        ),
        "client_id": "abc\x00def",
        "allow": "Authorize",
    }

    answer = browser.post(reverse("oauth2_provider:authorize"), form)

    assert answer.status_code == 400
    assert "form field &#x27;client_id&#x27;" in answer.content.decode()
