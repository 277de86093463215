from django.utils.functional import SimpleLazyObject

from solhost.partners.permissions import is_steward


def steward(request):
    """``is_steward`` for the navigation, worked out only on pages that ask."""
    return {"is_steward": SimpleLazyObject(lambda: is_steward(request.user))}
