from allauth.account.forms import ReauthenticateForm
from django import forms


class DeleteAccountForm(ReauthenticateForm):
    """The resident's password, checked as a sign-in checks it (with the same limits on
    guessing), once their second factor, if they have one, has been confirmed."""

    def __init__(self, *args, second_factor_confirmed: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.second_factor_confirmed = second_factor_confirmed
        self.fields["password"].label = "Your password"
        self.fields["password"].help_text = ""

    def clean_password(self) -> str:
        if not self.second_factor_confirmed:
            raise forms.ValidationError(
                "Confirm your second factor first (step 1), then type your password here."
            )
        return super().clean_password()
