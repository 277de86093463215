import pytest

# A service's back-channel logout endpoint on this machine, as identity's tests use it.
from solhost.identity.tests.test_backchannel_logout import receiver  # noqa: F401


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings, tmp_path):
    settings.SOLHOST_EXPORT_DIR = tmp_path / "exports"
    # The test client's host, which links in emails and ID tokens name.
    settings.BASE_URL = "http://testserver"
