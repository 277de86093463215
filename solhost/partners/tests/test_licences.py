import pytest

from solhost.partners.licences import LicenceExpressionError, normalise_licence_expression


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("GPL-3.0-or-later", "GPL-3.0-or-later"),
        ("gpl-3.0-or-later", "GPL-3.0-or-later"),
        ("MIT and Apache-2.0", "MIT AND Apache-2.0"),
        ("GPL-3.0+", "GPL-3.0-or-later"),
        ("Hippocratic-2.1", "Hippocratic-2.1"),
        ("LicenseRef-scancode-anti-capitalist-1.4", "LicenseRef-scancode-anti-capitalist-1.4"),
        ("(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"),
    ],
)
def test_known_expressions_come_back_in_spdx_spelling(given, normal):
    assert normalise_licence_expression(given) == normal


def test_extra_keys_are_accepted_in_their_listed_spelling():
    extra = ["LicenseRef-Reticulum"]
    assert normalise_licence_expression("(licenseref-reticulum AND mit)", extra_keys=extra) == (
        "LicenseRef-Reticulum AND MIT"
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("Foo-1.0", "Unknown licence identifier Foo-1.0"),
        (
            "MIT AND Proprietary-Thing AND Nope",
            "Unknown licence identifiers Proprietary-Thing, Nope",
        ),
        ("MIT AND (", "Cannot read the licence expression"),
        ("MIT OR", "Cannot read"),
        ("", "Give a licence expression"),
        ("LicenseRef-Reticulum", "Unknown licence identifier"),
    ],
)
def test_unknown_or_malformed_expressions_are_refused(given, message):
    with pytest.raises(LicenceExpressionError, match=message):
        normalise_licence_expression(given)
