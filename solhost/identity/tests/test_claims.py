"""The pure rules behind ``amr``, ``acr`` and step-up, with literal values."""

import pytest

from solhost.identity.assurance import ACR_MULTI_FACTOR, ACR_PASSWORD
from solhost.identity.claims import (
    acr_for,
    acr_of,
    amr_of,
    asks_for_multi_factor,
    id_token_claims_of,
    meets_essential_acr,
    meets_no_level_asked_for,
    requested_subject,
)


@pytest.mark.parametrize(
    ("records", "amr"),
    [
        ([{"method": "password"}], ["pwd"]),
        ([{"method": "password"}, {"method": "mfa", "type": "totp"}], ["pwd", "otp", "mfa"]),
        (
            [{"method": "password"}, {"method": "mfa", "type": "recovery_codes"}],
            ["pwd", "otp", "mfa"],
        ),
        (
            [{"method": "password"}, {"method": "mfa", "type": "webauthn"}],
            ["pwd", "hwk", "user", "mfa"],
        ),
        # A passkey alone is one factor here: the region doesn't know the key checked a PIN.
        ([{"method": "mfa", "type": "webauthn", "passwordless": True}], ["hwk", "user"]),
        ([{"method": "password_reset"}], []),
        ([{"method": "code"}, {"method": "password"}, {"method": "password"}], ["pwd"]),
        # The password given again later is a proof of its own; a second factor after it
        # steps that one up.
        (
            [
                {"method": "password"},
                {"method": "mfa", "type": "totp"},
                {"method": "password", "reauthenticated": True},
            ],
            ["pwd"],
        ),
        (
            [
                {"method": "password"},
                {"method": "password", "reauthenticated": True},
                {"method": "mfa", "type": "webauthn", "reauthenticated": True},
            ],
            ["pwd", "hwk", "user", "mfa"],
        ),
        ([], []),
    ],
)
def test_allauth_records_read_as_rfc_8176_methods(records, amr):
    assert amr_of(records) == amr


def test_only_a_second_factor_reaches_the_multi_factor_level():
    assert acr_of(["pwd", "otp", "mfa"]) == ACR_MULTI_FACTOR
    assert acr_of(["pwd"]) == acr_of([]) == ACR_PASSWORD


@pytest.mark.parametrize(
    ("acr_values", "claims", "asks"),
    [
        (ACR_MULTI_FACTOR, None, True),
        (f"{ACR_MULTI_FACTOR} {ACR_PASSWORD}", None, False),
        (ACR_PASSWORD, None, False),
        ("", {"id_token": {"acr": {"essential": True, "value": ACR_MULTI_FACTOR}}}, True),
        ("", {"id_token": {"acr": {"essential": True, "values": [ACR_MULTI_FACTOR]}}}, True),
        ("", {"id_token": {"acr": {"values": [ACR_MULTI_FACTOR]}}}, False),
        ("", {"id_token": {"acr": {"essential": True, "values": "not a list"}}}, False),
        ("", {"id_token": {"acr": None}}, False),
        ("", {"id_token": "nonsense"}, False),
        ("", {"userinfo": {"acr": {"essential": True, "value": ACR_MULTI_FACTOR}}}, False),
    ],
)
def test_which_requests_ask_for_a_second_factor(acr_values, claims, asks):
    assert asks_for_multi_factor(acr_values, claims) is asks


def test_the_id_token_claims_of_a_session_snapshot():
    snapshot = {"sid": "6f1d0c1e", "auth_time": 1764800000, "amr": ["pwd", "otp", "mfa"]}

    assert id_token_claims_of(snapshot) == {
        "sid": "6f1d0c1e",
        "auth_time": 1764800000,
        "amr": ["pwd", "otp", "mfa"],
        "acr": ACR_MULTI_FACTOR,
    }
    assert "amr" not in id_token_claims_of({**snapshot, "amr": []})
    assert id_token_claims_of(None) == id_token_claims_of({}) == {}


def _essential(*values: str) -> dict:
    return {"id_token": {"acr": {"essential": True, "values": list(values)}}}


@pytest.mark.parametrize(
    ("amr", "claims", "acr"),
    [
        (["pwd"], None, ACR_PASSWORD),
        (["pwd", "otp", "mfa"], None, ACR_MULTI_FACTOR),
        # An essential acr is stated as one of the values asked for that the session meets,
        # a stronger sign-in meeting a weaker level too.
        (["pwd", "otp", "mfa"], _essential(ACR_PASSWORD), ACR_PASSWORD),
        (["pwd", "otp", "mfa"], _essential("urn:x", ACR_PASSWORD, ACR_MULTI_FACTOR), ACR_PASSWORD),
        (["pwd", "otp", "mfa"], _essential(ACR_MULTI_FACTOR, ACR_PASSWORD), ACR_MULTI_FACTOR),
        (["pwd"], _essential(ACR_MULTI_FACTOR, ACR_PASSWORD), ACR_PASSWORD),
        # Not essential, or essential with no values: the session's own level.
        (
            ["pwd", "otp", "mfa"],
            {"id_token": {"acr": {"values": [ACR_PASSWORD]}}},
            ACR_MULTI_FACTOR,
        ),
        (["pwd", "otp", "mfa"], {"id_token": {"acr": {"essential": True}}}, ACR_MULTI_FACTOR),
    ],
)
def test_the_acr_an_id_token_states(amr, claims, acr):
    assert acr_for(amr, claims) == acr


@pytest.mark.parametrize(
    ("claims", "unmeetable"),
    [
        (_essential("urn:example:silver"), True),
        ({"id_token": {"acr": {"essential": True, "value": "urn:example:silver"}}}, True),
        (_essential("urn:example:silver", ACR_MULTI_FACTOR), False),
        ({"id_token": {"acr": {"values": ["urn:example:silver"]}}}, False),  # voluntary
        ({"id_token": {"acr": {"essential": True}}}, False),
        (None, False),
    ],
)
def test_which_essential_acr_requests_no_sign_in_can_meet(claims, unmeetable):
    assert meets_no_level_asked_for(claims) is unmeetable


@pytest.mark.parametrize(
    ("claims", "subject"),
    [
        ({"id_token": {"sub": {"value": "3f2c"}}}, "3f2c"),
        ({"id_token": {"sub": {"value": 7}}}, None),
        ({"id_token": {"sub": None}}, None),
        ({"id_token": {"sub": {"essential": True}}}, None),
        ({"userinfo": {"sub": {"value": "3f2c"}}}, None),
        (None, None),
    ],
)
def test_the_subject_a_claims_parameter_asks_for(claims, subject):
    assert requested_subject(claims) == subject


@pytest.mark.parametrize(
    ("amr", "claims", "meets"),
    [
        (["pwd"], None, True),
        (["pwd"], {"id_token": {"acr": {"values": [ACR_MULTI_FACTOR]}}}, True),
        (["pwd"], _essential(ACR_MULTI_FACTOR), False),
        (["pwd", "otp", "mfa"], _essential(ACR_MULTI_FACTOR), True),
        (["pwd"], _essential(ACR_MULTI_FACTOR, ACR_PASSWORD), True),
        (["pwd", "otp", "mfa"], _essential(ACR_PASSWORD), True),
        (["pwd", "otp", "mfa"], _essential("urn:x:silver"), False),
    ],
)
def test_an_essential_acr_is_met_by_one_of_its_values(amr, claims, meets):
    assert meets_essential_acr(amr, claims) is meets
