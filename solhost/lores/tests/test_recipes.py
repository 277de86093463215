import pytest

from solhost.lores.recipes import fold, serves


def test_fold_drops_case_spaces_and_punctuation():
    assert fold("Jitsi Meet") == fold("jitsi-meet") == "jitsimeet"


@pytest.mark.parametrize(
    ("recipe", "software", "kind", "expected"),
    [
        ("nextcloud", "Nextcloud", "files", True),
        ("matrix-synapse", "Synapse", "chat", True),
        ("mastodon", "Mastodon", "social", True),
        ("jitsi-meet", "Jitsi Meet", "video", True),
        ("custom-html", "Hugo", "websites", True),
        ("custom-html", "Hugo", "reference", False),
        ("nextcloud", "Synapse", "chat", False),
        ("matrix-synapse", "Matrix", "chat", False),
    ],
)
def test_an_app_serves_the_service_that_runs_its_software(recipe, software, kind, expected):
    assert serves(recipe, software=software, kind=kind) is expected
