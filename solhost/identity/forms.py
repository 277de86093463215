"""Forms for registering a service's OpenID Connect client. The actions write."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_url = URLValidator(schemes=["https", "http"])


def _uri_lines(value: str, label: str) -> list[str]:
    uris = [line.strip() for line in value.splitlines() if line.strip()]
    for number, uri in enumerate(uris, start=1):
        try:
            _url(uri)
        except ValidationError:
            raise ValidationError(
                f"Line {number}, “{uri}”, is not a web address ({label} must start with https://)."
            ) from None
        if "#" in uri:
            raise ValidationError(
                f"Line {number}, “{uri}”: a redirect URI cannot hold a #fragment."
            )
    return uris


class ClientForm(forms.Form):
    redirect_uris = forms.CharField(
        label="Redirect URIs",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "One per line, exactly as your service sends them: residents are only ever sent "
            "back to an address listed here, character for character."
        ),
    )
    post_logout_redirect_uris = forms.CharField(
        label="Addresses after sign-out",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: where residents may be sent after signing out.",
    )
    public = forms.BooleanField(
        label="Public client (an app that cannot keep a secret; it must use PKCE)",
        required=False,
    )

    def clean_redirect_uris(self) -> list[str]:
        uris = _uri_lines(self.cleaned_data["redirect_uris"], "redirect URIs")
        if not uris:
            raise ValidationError("Give at least one redirect URI.")
        return uris

    def clean_post_logout_redirect_uris(self) -> list[str]:
        return _uri_lines(self.cleaned_data["post_logout_redirect_uris"], "addresses")
