"""The charter's initial parameter values, for assessments without a database. Pure: no Django.

The data migration ``core/0003_charter_parameters`` seeds the same keys, kinds, bounds and
values; a test compares the two, so an offline self-assessment uses exactly the numbers a
fresh installation starts with. Later decisions change the values in the database only.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from solhost.core.parameter_types import (
    BASIS_POINTS,
    CENTS,
    INTEGER,
    TEXT_LIST,
    ParameterValueError,
    validate_parameter_value,
)
from solhost.core.problems import InputProblems

ADOPTED: Final = datetime.date(2025, 7, 1)


@dataclass(frozen=True)
class ParameterSpec:
    """A parameter's kind, bounds and initial value, as the charter sets them."""

    key: str
    criterion: str
    kind: str
    initial: object
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


S1_ROLES: Final = ("offsite_backup", "dns", "cloud_connector")

CHARTER_PARAMETERS: Final[tuple[ParameterSpec, ...]] = (
    ParameterSpec("surplus_reserve_max_bp", "B1.1", BASIS_POINTS, 0),
    ParameterSpec("participation_min_bp", "B4", BASIS_POINTS, 7500),
    ParameterSpec("participation_window_days", "B4", INTEGER, 365, 1, 3650),
    ParameterSpec("pay_ceiling_cents_per_fte", "B5.2", CENTS, 5_833_360),
    ParameterSpec("land_back_min_bp", "B7", BASIS_POINTS, 1000),
    ParameterSpec(
        "liberatory_licences",
        "V1",
        TEXT_LIST,
        [
            "LicenseRef-scancode-anti-capitalist-1.4",
            "LicenseRef-Reticulum",
            "Hippocratic-2.1",
            "LicenseRef-scancode-Hippocratic-3.0",
            "LicenseRef-Cooperative-Software-License",
            "PPL",
            "LicenseRef-scancode-cooperative-non-violent-4.0",
            "LicenseRef-scancode-cooperative-non-violent-6.0",
            "LicenseRef-scancode-cooperative-non-violent-7.0",
        ],
    ),
    ParameterSpec("local_max_distance_m", "S1", INTEGER, 1000, 0, 100_000),
    ParameterSpec("s1_exception_roles", "S1", TEXT_LIST, list(S1_ROLES), choices=S1_ROLES),
    ParameterSpec("excluded_cloud_companies", "S1", TEXT_LIST, ["Amazon", "Google", "Microsoft"]),
    ParameterSpec("renewable_window_days", "S2.2", INTEGER, 365, 1, 3650),
    ParameterSpec("renewable_min_share", "S2.2", BASIS_POINTS, 8000),
    ParameterSpec("energy_min_coverage_bp", "S2.2", BASIS_POINTS, 9000),
    ParameterSpec("outage_grace_days", "S3", INTEGER, 365, 0, 3650),
    ParameterSpec("outage_hours", "S3", INTEGER, 72, 1, 720),
)

SPECS: Final[Mapping[str, ParameterSpec]] = {spec.key: spec for spec in CHARTER_PARAMETERS}


class ParametersError(InputProblems):
    """Parameter overrides that name unknown keys or do not fit their kind."""


def charter_parameters(overrides: object = None) -> dict[str, object]:
    """The charter's initial values, with ``overrides`` (a decoded JSON object) applied.

    Raises:
        ParametersError listing every unknown key and every value that does not fit.
    """
    values = {spec.key: spec.initial for spec in CHARTER_PARAMETERS}
    if overrides is None:
        return values
    if not isinstance(overrides, dict):
        raise ParametersError([("$", "must be a JSON object of parameter keys and values")])
    problems = []
    for key, value in overrides.items():
        spec = SPECS.get(key)
        if spec is None:
            problems.append((f"$.{key}", "is not a parameter the criteria read"))
            continue
        try:
            values[key] = validate_parameter_value(
                spec.kind,
                value,
                minimum=spec.minimum,
                maximum=spec.maximum,
                choices=spec.choices,
            )
        except ParameterValueError as error:
            problems.append((f"$.{key}", str(error)))
    if problems:
        raise ParametersError(problems)
    return values
