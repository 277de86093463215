"""What metering hears from the apps below it: sign-ins through the region's identity."""

from solhost.metering.actions import record_sign_in


def count_sign_in(sender, *, user, service, day, **kwargs) -> None:
    """One usage event per resident, service and day, however often they sign in."""
    record_sign_in(user=user, service=service, day=day)
