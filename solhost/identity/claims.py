"""What a session's sign-in says about the resident: its ``amr`` and ``acr``, and whether a
service's request asks for more. Plain values in, plain values out (no Django).

allauth keeps a record of each method a session used (``{"method": "password"}``,
``{"method": "mfa", "type": "totp"}`` …); ``amr_of`` reads those records as RFC 8176
values. A session with a password and a second factor reaches ``ACR_MULTI_FACTOR``;
anything less is ``ACR_PASSWORD``, the region's base level.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from solhost.identity.assurance import (
    ACR_MULTI_FACTOR,
    ACR_PASSWORD,
    ACR_VALUES,
    AMR_MULTI_FACTOR,
    AMR_ONE_TIME_CODE,
    AMR_PASSWORD,
    AMR_SECURITY_KEY,
    AMR_USER_PRESENCE,
)

# allauth's MFA authenticator types, as RFC 8176 methods. A WebAuthn assertion always
# carries the user-present flag (python-fido2 refuses one without it), hence "user".
_MFA_METHODS = {
    "totp": (AMR_ONE_TIME_CODE,),
    "recovery_codes": (AMR_ONE_TIME_CODE,),
    "webauthn": (AMR_SECURITY_KEY, AMR_USER_PRESENCE),
}
_SECOND_FACTORS = {AMR_ONE_TIME_CODE, AMR_SECURITY_KEY}
# The order amr values are listed in, so the same methods always read the same.
_ORDER = (AMR_PASSWORD, AMR_ONE_TIME_CODE, AMR_SECURITY_KEY, AMR_USER_PRESENCE, AMR_MULTI_FACTOR)


def amr_of(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The RFC 8176 methods in allauth's authentication records.

    Methods that prove neither a password nor a second factor (an emailed code, a password
    reset link) add nothing. A password given again starts the count afresh: it moves
    ``auth_time`` to now, and a second factor shown before it was not part of that proof
    (RFC 9470 asks for one proof that meets both the level and ``max_age``). A second
    factor given later steps the password up, as at sign-in.
    """
    records = list(records)
    passwords = [i for i, record in enumerate(records) if record.get("method") == "password"]
    found: set[str] = set()
    for record in records[passwords[-1] if passwords else 0 :]:
        if record.get("method") == "password":
            found.add(AMR_PASSWORD)
        elif record.get("method") == "mfa":
            found.update(_MFA_METHODS.get(str(record.get("type")), ()))
    if AMR_PASSWORD in found and found & _SECOND_FACTORS:
        found.add(AMR_MULTI_FACTOR)
    return [method for method in _ORDER if method in found]


def acr_of(amr: Iterable[str]) -> str:
    return ACR_MULTI_FACTOR if AMR_MULTI_FACTOR in amr else ACR_PASSWORD


def has_second_factor(amr: Iterable[str]) -> bool:
    return AMR_MULTI_FACTOR in amr


def essential_acr_values(claims: Mapping[str, Any] | None) -> list[str] | None:
    """The ``acr`` values the ``claims`` parameter makes essential for the ID token, most
    wanted first (its ``values``, or its one ``value``); None when it requires none."""
    requested = _id_token_acr(claims)
    if not isinstance(requested, Mapping) or not requested.get("essential"):
        return None
    values = requested.get("values")
    if not isinstance(values, list):
        values = [requested.get("value")]
    return [value for value in values if isinstance(value, str)] or None


def meets_no_level_asked_for(claims: Mapping[str, Any] | None) -> bool:
    """The ``claims`` parameter makes ``acr`` essential with only values the region does
    not speak: no sign-in can meet that (§5.5.1.1 says to fail it)."""
    wanted = essential_acr_values(claims)
    return wanted is not None and not set(wanted) & set(ACR_VALUES)


def meets_essential_acr(amr: Iterable[str], claims: Mapping[str, Any] | None) -> bool:
    """Whether a session that used ``amr`` meets one of the ``acr`` values the ``claims``
    parameter makes essential (as it does when it makes none essential)."""
    wanted = essential_acr_values(claims)
    return wanted is None or acr_for(amr, claims) in wanted


def acr_for(amr: Iterable[str], claims: Mapping[str, Any] | None) -> str:
    """The ``acr`` the ID token states for a session that used ``amr``.

    The session's own level; or, when the ``claims`` parameter makes ``acr`` essential,
    the first value it accepts that the session meets (§5.5.1.1 requires one of them), a
    level being met by any stronger one.
    """
    level = acr_of(amr)
    wanted = essential_acr_values(claims)
    if wanted is None:
        return level
    met = ACR_VALUES[: ACR_VALUES.index(level) + 1]
    return next((value for value in wanted if value in met), level)


def asks_for_multi_factor(acr_values: str, claims: Mapping[str, Any] | None) -> bool:
    """Whether a service's authorization request needs a second factor to be met.

    ``acr_values`` lists the levels the service accepts, most wanted first (OpenID Connect
    Core §3.1.2.1): a second factor is needed when it names the multi-factor level and
    not the password one. The ``claims`` parameter's ``id_token.acr`` needs it when it is
    essential and every value (or the one ``value``) it accepts is the multi-factor level
    (§5.5.1.1). A level the region doesn't know is not one the region can meet either way,
    so it asks for nothing more.
    """
    accepted = set(acr_values.split())
    if ACR_MULTI_FACTOR in accepted and ACR_PASSWORD not in accepted:
        return True
    wanted = essential_acr_values(claims) or []
    return ACR_MULTI_FACTOR in wanted and ACR_PASSWORD not in wanted


def requested_subject(claims: Mapping[str, Any] | None) -> str | None:
    """The ``sub`` the ``claims`` parameter asks the ID token for (its ``value``): the
    only resident for whom a code may be sent (OpenID Connect Core §3.1.2.1)."""
    requested = _id_token_claim(claims, "sub")
    value = requested.get("value") if isinstance(requested, Mapping) else None
    return value if isinstance(value, str) else None


def _id_token_acr(claims: Mapping[str, Any] | None) -> object:
    return _id_token_claim(claims, "acr")


def _id_token_claim(claims: Mapping[str, Any] | None, name: str) -> object:
    if not isinstance(claims, Mapping):
        return None
    id_token = claims.get("id_token")
    return id_token.get(name) if isinstance(id_token, Mapping) else None


# Where the authorization endpoint leaves the session's sign-in for the token endpoint:
# a key of the grant's stored ``claims`` request, which django-oauth-toolkit hands back to
# the token request. The view always overwrites it, so a service can't forge it.
SESSION_CLAIMS = "solhost:session"


def session_snapshot(*, sid: str, auth_time: int, amr: list[str]) -> dict[str, Any]:
    return {"sid": sid, "auth_time": auth_time, "amr": list(amr)}


def id_token_claims_of(
    snapshot: object, requested: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ID token's ``sid``, ``auth_time``, ``amr`` and ``acr`` from a session snapshot,
    ``acr`` as the ``requested`` claims parameter asks (``acr_for``); nothing when there
    is no snapshot (a grant made before sessions were recorded)."""
    if not isinstance(snapshot, Mapping) or not snapshot.get("sid"):
        return {}
    amr = [str(method) for method in snapshot.get("amr") or []]
    claims: dict[str, Any] = {
        "sid": str(snapshot["sid"]),
        "auth_time": int(snapshot["auth_time"]),
        "acr": acr_for(amr, requested),
    }
    if amr:
        claims["amr"] = amr
    return claims
