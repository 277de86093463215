import pytest

from solhost.core.models import Parameter
from solhost.qualification.parameters import (
    ADOPTED,
    CHARTER_PARAMETERS,
    ParametersError,
    charter_parameters,
)


@pytest.mark.django_db
def test_the_offline_defaults_match_the_seeded_parameters_exactly():
    # Other modules seed parameters of their own; the charter's must all be there, as written.
    seeded = {p.key: p for p in Parameter.objects.prefetch_related("values")}
    assert {spec.key for spec in CHARTER_PARAMETERS} <= set(seeded)
    for spec in CHARTER_PARAMETERS:
        parameter = seeded[spec.key]
        first = parameter.values.order_by("effective_from").first()
        assert (
            parameter.criterion,
            parameter.kind,
            parameter.minimum,
            parameter.maximum,
            list(parameter.choices),
        ) == (spec.criterion, spec.kind, spec.minimum, spec.maximum, list(spec.choices)), spec.key
        assert (first.effective_from, first.value) == (ADOPTED, spec.initial), spec.key


def test_overrides_replace_the_charter_values():
    values = charter_parameters({"local_max_distance_m": 1500, "land_back_min_bp": 1200})
    assert values["local_max_distance_m"] == 1500
    assert values["land_back_min_bp"] == 1200
    assert values["outage_hours"] == 72


def test_every_bad_override_is_reported_with_its_path():
    with pytest.raises(ParametersError) as caught:
        charter_parameters(
            {"local_max_distance_m": 1.5, "renewable_min_share": 10_001, "speed_of_light": 1}
        )
    assert caught.value.problems == [
        ("$.local_max_distance_m", "must be a whole number, got 1.5"),
        ("$.renewable_min_share", "must be at most 10000, got 10001"),
        ("$.speed_of_light", "is not a parameter the criteria read"),
    ]
    with pytest.raises(ParametersError, match="must be a JSON object"):
        charter_parameters([])


def test_exception_roles_are_limited_to_known_roles():
    with pytest.raises(ParametersError, match="entries outside"):
        charter_parameters({"s1_exception_roles": ["mining"]})
