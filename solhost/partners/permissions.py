"""Who may act for the steward: the one answer every app asks."""

from solhost.partners.models import Membership, Organisation


def is_steward(user) -> bool:
    """The steward's staff: Django staff, or a member of the steward organisation with its role."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        user.is_staff
        or user.is_superuser
        or Membership.objects.filter(
            user=user, role=Membership.Role.STEWARD, organisation__kind=Organisation.Kind.STEWARD
        ).exists()
    )
