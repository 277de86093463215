import pytest

from solhost.core.money import format_aud, format_bp
from solhost.core.parameter_types import (
    BASIS_POINTS,
    CENTS,
    INTEGER,
    TEXT,
    TEXT_LIST,
    ParameterValueError,
    validate_parameter_value,
)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (INTEGER, 365),
        (BASIS_POINTS, 0),
        (BASIS_POINTS, 10_000),
        (CENTS, 5_833_360),
        (TEXT, "commons"),
        (TEXT_LIST, ["MIT", "LicenseRef-Reticulum"]),
    ],
)
def test_accepts_values_of_its_kind(kind, value):
    assert validate_parameter_value(kind, value) == value


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (INTEGER, 1.5, "whole number"),
        (INTEGER, True, "whole number"),
        (INTEGER, "365", "whole number"),
        (BASIS_POINTS, 10_001, "at most 10000"),
        (BASIS_POINTS, -1, "at least 0"),
        (CENTS, -5, "at least 0"),
        (TEXT, "  ", "non-empty"),
        (TEXT_LIST, "MIT", "list"),
        (TEXT_LIST, ["MIT", "MIT"], "repeat"),
        (TEXT_LIST, ["MIT", 3], "list"),
        ("colour", "red", "unknown parameter kind"),
    ],
)
def test_refuses_values_that_do_not_fit(kind, value, message):
    with pytest.raises(ParameterValueError, match=message):
        validate_parameter_value(kind, value)


def test_explicit_bounds_apply_to_integers():
    assert validate_parameter_value(INTEGER, 72, minimum=1, maximum=720) == 72
    with pytest.raises(ParameterValueError, match="at least 1"):
        validate_parameter_value(INTEGER, 0, minimum=1)
    with pytest.raises(ParameterValueError, match="at most 720"):
        validate_parameter_value(INTEGER, 721, maximum=720)


def test_a_refusal_writes_the_bound_and_the_value_as_told():
    with pytest.raises(ParameterValueError) as error:
        validate_parameter_value(BASIS_POINTS, 12_000, say=format_bp)
    assert str(error.value) == "must be at most 100 %, got 120 %"
    with pytest.raises(ParameterValueError) as error:
        validate_parameter_value(CENTS, -1, say=format_aud)
    assert str(error.value) == "must be at least $0.00, got −$0.01"


def test_choices_limit_texts_and_lists():
    roles = ("offsite_backup", "dns", "cloud_connector")
    assert validate_parameter_value(TEXT_LIST, ["dns"], choices=roles) == ["dns"]
    with pytest.raises(ParameterValueError, match="primary"):
        validate_parameter_value(TEXT_LIST, ["dns", "primary"], choices=roles)
    with pytest.raises(ParameterValueError, match="one of"):
        validate_parameter_value(TEXT, "everything", choices=roles)
