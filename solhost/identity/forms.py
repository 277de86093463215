"""Forms for registering a service's OpenID Connect client (the actions write), the
email a service's ``login_hint`` fills in on the login and sign-up forms, and the
security-key forms as the region reads them."""

from allauth.account.forms import ChangePasswordForm, LoginForm, ResetPasswordKeyForm, SignupForm
from allauth.mfa.webauthn import forms as webauthn
from django import forms
from django.core.exceptions import ValidationError

from solhost.core.forms import JSONField
from solhost.identity import usernames
from solhost.identity.models import (
    ServiceClient,
    logout_uri_problem,
    redirect_uri_problem,
    too_many_uris,
)
from solhost.identity.queries import authorization_parameter


def _uri_lines(value: str) -> list[str]:
    uris = [line.strip() for line in value.splitlines() if line.strip()]
    # Counted first: each line's check costs time.
    if too_many := too_many_uris(uris):
        raise ValidationError(too_many)
    problems = [
        f"Line {number}, “{uri}”, {problem}."
        for number, uri in enumerate(uris, start=1)
        if (problem := redirect_uri_problem(uri))
    ]
    if problems:
        raise ValidationError(problems)
    return uris


def _logout_uri(value: str) -> str:
    uri = value.strip()
    if uri and (problem := logout_uri_problem(uri)):
        raise ValidationError(f"“{uri}” {problem}.")
    return uri


class ClientAddressesForm(forms.Form):
    """Where a client's residents are sent and how its service hears of sign-outs: what a
    co-op gives when it registers a client, and may change later."""

    redirect_uris = forms.CharField(
        label="Redirect URIs",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give at least one redirect URI."},
        help_text=(
            "One per line, exactly as your service sends them: residents are only ever sent "
            "back to an address listed here, character for character. Each starts with "
            "https://; an app on the resident's own device may use http://127.0.0.1:<port>/ "
            "or its own scheme, such as com.example.app:/callback."
        ),
    )
    post_logout_redirect_uris = forms.CharField(
        label="Addresses after sign-out",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: where residents may be sent after signing out.",
    )
    backchannel_logout_uri = forms.CharField(
        label="Back-channel logout URI",
        required=False,
        max_length=500,
        help_text=(
            "Optional. When a resident's session with the region ends (they sign out, end a "
            "session, disconnect your service or change their password), the region POSTs a "
            "signed logout token here (OpenID Connect Back-Channel Logout 1.0), so your "
            "service signs them out too. It starts with https://."
        ),
    )
    backchannel_logout_session_required = forms.BooleanField(
        label="Name the session (sid) in each logout token",
        required=False,
        initial=True,
        help_text=(
            "Leave this on if your service keeps the sid from ID tokens and can sign out one "
            "session; off, each logout token signs the resident out of all their sessions."
        ),
    )
    frontchannel_logout_uri = forms.CharField(
        label="Front-channel logout URI",
        required=False,
        max_length=500,
        help_text=(
            "Optional. When a resident signs out of the region in their browser, the page "
            "they land on loads this address in a hidden frame (OpenID Connect Front-Channel "
            "Logout 1.0), so your service can clear its own session there. It starts with "
            "https://."
        ),
    )
    frontchannel_logout_session_required = forms.BooleanField(
        label="Add the issuer (iss) and session (sid) to the front-channel address",
        required=False,
        initial=True,
        help_text=(
            "Leave this on if your service keeps the sid from ID tokens and checks the "
            "issuer; off, the address is loaded as it is."
        ),
    )

    def clean_redirect_uris(self) -> list[str]:
        uris = _uri_lines(self.cleaned_data["redirect_uris"])
        if not uris:
            raise ValidationError("Give at least one redirect URI.")
        return uris

    def clean_post_logout_redirect_uris(self) -> list[str]:
        return _uri_lines(self.cleaned_data["post_logout_redirect_uris"])

    def clean_backchannel_logout_uri(self) -> str:
        return _logout_uri(self.cleaned_data["backchannel_logout_uri"])

    def clean_frontchannel_logout_uri(self) -> str:
        return _logout_uri(self.cleaned_data["frontchannel_logout_uri"])

    @classmethod
    def of(cls, client: ServiceClient, data=None) -> "ClientAddressesForm":
        """The form for changing ``client``, showing what it has now."""
        initial = {field: getattr(client, field) for field in cls.base_fields}
        # Stored space-separated, shown one per line.
        for field in ("redirect_uris", "post_logout_redirect_uris"):
            initial[field] = "\n".join(initial[field].split())
        return cls(data, initial=initial)


class ClientForm(ClientAddressesForm):
    """A new client: its addresses, and whether it is a public client, which is fixed once
    it is registered (a secret can't be added to an app that cannot keep one)."""

    public = forms.BooleanField(
        label="Public client (an app that cannot keep a secret; it must use PKCE)",
        required=False,
    )
    field_order = ["redirect_uris", "post_logout_redirect_uris", "public"]


def login_hint_in(next_url: str) -> str | None:
    """The email address a service suggested (OIDC ``login_hint``) in the authorization
    request ``next_url``, on whose way a page is, or None: a hint that is no address,
    or an address that isn't the authorization endpoint's, suggests nothing."""
    hint = authorization_parameter(next_url, "login_hint")
    return hint if hint is not None and len(hint) <= 254 and "@" in hint else None


class RegionLoginForm(LoginForm):
    """allauth's login form, with the email a service suggested (OIDC ``login_hint``).

    A service sends the resident here by way of the authorization request, which travels
    in ``next``; its ``login_hint`` fills in the email, never the password.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The page links to the reset after the field (account/login.html): as the field's
        # help text it came between the label and the field, and took the focus first.
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Stay signed in on this browser"
        if self.request is None or self.is_bound:
            return
        hint = login_hint_in(self.request.GET.get("next", ""))
        if hint is not None:
            self.fields["login"].initial = hint


EMAIL_HELP = "You sign in with it. The region sends a link to it, to confirm it is yours."


class RegionSignupForm(SignupForm):
    """allauth's sign-up form, saying what the username and the email address are for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = usernames.HELP
        self.fields["email"].help_text = EMAIL_HELP


class _NewPasswordLabels:
    """allauth's password fields, labelled in sentence case like every other field of the
    region's ("New Password (again)" was the one Title Case label on the page); each
    field's placeholder repeats its label, as allauth's do."""

    LABELS = {
        "oldpassword": "Current password",
        "password1": "New password",
        "password2": "New password, again",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].widget.attrs["placeholder"] = label


class RegionChangePasswordForm(_NewPasswordLabels, ChangePasswordForm):
    pass


class RegionResetPasswordKeyForm(_NewPasswordLabels, ResetPasswordKeyForm):
    pass


class WebAuthnCredential(JSONField):
    """What a browser's WebAuthn ceremony posts: one JSON object. allauth takes any JSON,
    so a bare ``0`` or ``false``, read as nothing to check, was stored as the resident's
    security key, and their key pages and second sign-in step failed from then on; and
    Django's parser fails outright on a number too long to read."""

    widget = forms.HiddenInput

    def to_python(self, value):
        credential = super().to_python(value)
        if credential is not None and not isinstance(credential, dict):
            raise ValidationError(
                "Your security key's answer could not be read. Try again.", code="invalid"
            )
        return credential


class AddWebAuthnForm(webauthn.AddWebAuthnForm):
    credential = WebAuthnCredential()


class AuthenticateWebAuthnForm(webauthn.AuthenticateWebAuthnForm):
    credential = WebAuthnCredential()


class ReauthenticateWebAuthnForm(webauthn.ReauthenticateWebAuthnForm):
    credential = WebAuthnCredential()
