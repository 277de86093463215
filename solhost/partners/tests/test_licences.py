import pytest

from solhost.partners.licences import (
    LicenceExpressionError,
    normalise_licence_expression,
    parse_licence_expression,
    unknown_licence_keys,
)


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


@pytest.mark.parametrize("text", ["", "   ", "MIT AND (", "MIT OR", "AND MIT"])
def test_unreadable_expressions_are_refused(text):
    with pytest.raises(LicenceExpressionError):
        parse_licence_expression(text)


def test_parse_errors_are_phrases_to_follow_a_field_name():
    with pytest.raises(LicenceExpressionError) as empty:
        parse_licence_expression("  ")
    assert str(empty.value) == "the licence expression is empty"
    with pytest.raises(LicenceExpressionError) as unreadable:
        parse_licence_expression("MIT AND (")
    assert str(unreadable.value) == (
        "cannot read the licence expression 'MIT AND (': Invalid expression"
    )


def test_normalising_turns_the_parse_phrase_into_a_sentence():
    with pytest.raises(LicenceExpressionError) as unreadable:
        normalise_licence_expression("MIT AND (")
    assert str(unreadable.value) == (
        "Cannot read the licence expression 'MIT AND (': Invalid expression"
    )


def test_parsing_allows_unknown_keys_and_names_them():
    parsed = parse_licence_expression("MIT AND Proprietary-Thing OR LicenseRef-Reticulum")
    assert unknown_licence_keys(parsed) == ["Proprietary-Thing", "LicenseRef-Reticulum"]
    assert (
        unknown_licence_keys(parse_licence_expression("GPL-3.0+ WITH Classpath-exception-2.0"))
        == []
    )
