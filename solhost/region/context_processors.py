from solhost.region.models import current_region


def region(request):
    """Puts the installation's region into every template, for the brand in the header."""
    return {"region": current_region()}
