"""What the sites tests share."""

import pytest
from django.utils import timezone

from solhost.sites.keys import own_public_keys
from solhost.sites.models import Site


@pytest.fixture
def hill(world, settings):
    """This installation's own keys registered as the site ``hill``, which it plays (and
    the primary, which it is too: one database plays both ends)."""
    settings.SOLHOST_SITE = "hill"
    return Site.objects.create(name="hill", jwks=own_public_keys(), keys_updated_at=timezone.now())
