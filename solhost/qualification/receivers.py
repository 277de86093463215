"""What qualification hears from the apps below it: a partner's records changed."""

from solhost.qualification.tasks import evaluate_partner_soon


def re_evaluate_partner(sender, *, organisation, change: str, **kwargs) -> None:
    """Re-judge the partner outside the request, so a failing evaluation never undoes an edit."""
    evaluate_partner_soon(organisation.pk, change)
