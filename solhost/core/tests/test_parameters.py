import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from solhost.core.models import (
    Parameter,
    ParameterValue,
    parameter_value,
    parameter_values,
    values_in_force,
)

CHARTER_VALUES = {
    "surplus_reserve_max_bp": 0,
    "participation_min_bp": 7500,
    "participation_window_days": 365,
    "pay_ceiling_cents_per_fte": 5_833_360,
    "land_back_min_bp": 1000,
    "local_max_distance_m": 1000,
    "renewable_window_days": 365,
    "renewable_min_share": 8000,
    "outage_grace_days": 365,
    "outage_hours": 72,
    "excluded_cloud_companies": ["Amazon", "Google", "Microsoft"],
    "s1_exception_roles": ["offsite_backup", "dns", "cloud_connector"],
}
DAY = datetime.date(2026, 1, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "value"), CHARTER_VALUES.items())
def test_charter_values_are_seeded(key, value):
    assert parameter_value(key, at=DAY) == value


@pytest.mark.django_db
def test_liberatory_licences_are_seeded_and_include_the_anti_capitalist_licence():
    licences = parameter_value("liberatory_licences", at=DAY)
    assert "LicenseRef-scancode-anti-capitalist-1.4" in licences
    assert "Hippocratic-2.1" in licences


@pytest.mark.django_db
def test_every_charter_parameter_names_its_criterion():
    # Parameters the charter does not print (prices, pool shares) may have no criterion.
    for parameter in Parameter.objects.filter(key__in=[*CHARTER_VALUES, "liberatory_licences"]):
        assert re.fullmatch(r"[BVS]\d(\.\d)?", parameter.criterion), parameter.key
    for parameter in Parameter.objects.exclude(criterion=""):
        assert re.fullmatch(r"[BVS]\d(\.\d)?", parameter.criterion), parameter.key


@pytest.mark.django_db
def test_value_in_force_follows_the_effective_date():
    parameter = Parameter.objects.get(key="outage_hours")
    ParameterValue.objects.create(
        parameter=parameter,
        value=96,
        effective_from=datetime.date(2027, 1, 1),
        source="test decision",
    )
    assert parameter_value("outage_hours", at=datetime.date(2026, 12, 31)) == 72
    assert parameter_value("outage_hours", at=datetime.date(2027, 1, 1)) == 96


@pytest.mark.django_db
def test_no_value_before_the_first_one_or_for_unknown_keys():
    with pytest.raises(Parameter.NoValueInForce, match="no value in force"):
        parameter_value("outage_hours", at=datetime.date(2000, 1, 1))
    with pytest.raises(Parameter.NoValueInForce, match="no parameter called"):
        parameter_value("speed_of_light", at=DAY)


@pytest.mark.django_db
def test_many_values_in_force_are_read_in_one_query(django_assert_num_queries):
    for later in (datetime.date(2026, 6, 1), datetime.date(2027, 1, 1)):
        ParameterValue.objects.create(
            parameter=Parameter.objects.get(key="outage_hours"),
            value=later.month * 10,
            effective_from=later,
            source="test decision",
        )
    keys = ["outage_hours", "outage_grace_days", "speed_of_light"]

    with django_assert_num_queries(1):
        found = values_in_force(keys, at=datetime.date(2026, 12, 31))

    assert found == {"outage_hours": 60, "outage_grace_days": 365}
    assert values_in_force(keys, at=datetime.date(2000, 1, 1)) == {}
    with pytest.raises(Parameter.NoValueInForce, match="no parameter called 'speed_of_light'"):
        parameter_values(keys, at=DAY)
    with pytest.raises(Parameter.NoValueInForce, match="'outage_hours' has no value in force"):
        parameter_values(keys[:2], at=datetime.date(2000, 1, 1))
    assert parameter_values(keys[:2], at=datetime.date(2027, 1, 1)) == {
        "outage_hours": 10,
        "outage_grace_days": 365,
    }


@pytest.mark.django_db
def test_a_value_of_the_wrong_kind_is_refused_and_not_stored():
    parameter = Parameter.objects.get(key="renewable_min_share")
    with pytest.raises(ValidationError, match="at most 10000"):
        ParameterValue.objects.create(
            parameter=parameter,
            value=12000,
            effective_from=datetime.date(2027, 1, 1),
            source="typo",
        )
    assert parameter.values.count() == 1
