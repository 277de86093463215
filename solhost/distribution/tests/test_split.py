import copy
import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solhost.distribution.split import (
    ALGORITHM_VERSION,
    ScenarioError,
    land_back_cents,
    load_scenario,
    parse_scenario,
    split_period,
)

FAST = settings(max_examples=200, deadline=None)


def partner(*, settler_run=True, withhold_land_back=True, qualified=True, carried_cents=0):
    return {
        "settler_run": settler_run,
        "withhold_land_back": withhold_land_back,
        "qualified": qualified,
        "carried_cents": carried_cents,
    }


def scenario(**changes):
    """One partner ``acorn`` running ``mail``; no pools, 10 % land back, $10 minimum payout."""
    document = {
        "period": "2026-10",
        "pools_bp": {"commons": 0, "solidarity": 0},
        "land_back_bp": 1000,
        "min_payout_cents": 1000,
        "zero_usage_rule": "commons",
        "members": [],
        "services": {"mail": "acorn"},
        "partners": {"acorn": partner()},
    }
    document.update(changes)
    return document


def run(document):
    return split_period(parse_scenario(document))


def problems(document):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(document)
    return caught.value.problems


def problems_of_text(text):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(text)
    return caught.value.problems


# The split, literal amounts


def test_each_payment_is_split_into_pools_then_by_active_days():
    result = run(
        scenario(
            pools_bp={"commons": 1000, "solidarity": 500},
            services={"mail": "acorn", "files": "acorn"},
            members=[{"id": "ana", "paid_cents": 1200, "active_days": {"mail": 20, "files": 10}}],
        )
    )
    [ana] = result.members
    assert (ana.commons_cents, ana.solidarity_cents, ana.providers_cents) == (120, 60, 1020)
    assert ana.services == {"mail": 680, "files": 340}
    acorn = result.partners["acorn"]
    assert (acorn.residents, acorn.active_days, acorn.gross_cents) == (1, 30, 1020)


def test_a_resident_with_no_usage_sends_the_providers_part_to_the_commons():
    result = run(
        scenario(
            pools_bp={"commons": 1000, "solidarity": 500},
            members=[
                {"id": "ben", "paid_cents": 500, "active_days": {}},
                {"id": "cy", "paid_cents": 200, "active_days": {"mail": 0}},
            ],
        )
    )
    assert [(m.providers_cents, m.zero_usage_cents, m.services) for m in result.members] == [
        (425, 425, {}),
        (170, 170, {}),
    ]
    assert result.pools.zero_usage_cents == 595
    assert result.pools.commons_cents == 50 + 20 + 595
    assert result.pools.solidarity_cents == 25 + 10
    assert result.partners["acorn"].gross_cents == 0
    assert result.partners["acorn"].residents == 0


def test_the_zero_usage_rule_can_send_it_to_the_solidarity_fund():
    result = run(
        scenario(
            zero_usage_rule="solidarity",
            pools_bp={"commons": 1000, "solidarity": 500},
            members=[{"id": "ben", "paid_cents": 500, "active_days": {}}],
        )
    )
    assert (result.pools.commons_cents, result.pools.solidarity_cents) == (50, 25 + 425)


def test_a_partner_not_qualified_has_its_net_held_and_its_carried_balance_kept():
    result = run(
        scenario(
            partners={"acorn": partner(qualified=False, carried_cents=2500)},
            members=[{"id": "ana", "paid_cents": 5000, "active_days": {"mail": 3}}],
        )
    )
    acorn = result.partners["acorn"]
    assert (acorn.gross_cents, acorn.land_back_cents, acorn.held_cents) == (5000, 500, 4500)
    assert (acorn.payout_cents, acorn.carried_in_cents, acorn.carried_cents) == (0, 2500, 2500)
    assert result.balance.held_cents == 4500
    assert result.balance.balanced


def test_land_back_rounds_up():
    assert land_back_cents(1001, 1000) == 101
    assert land_back_cents(1000, 1000) == 100
    assert land_back_cents(1, 1000) == 1
    assert land_back_cents(0, 1000) == 0
    assert land_back_cents(1001, 0) == 0
    result = run(scenario(members=[{"id": "ana", "paid_cents": 1001, "active_days": {"mail": 1}}]))
    acorn = result.partners["acorn"]
    assert (acorn.gross_cents, acorn.land_back_cents, acorn.net_cents) == (1001, 101, 900)
    assert result.pools.land_back_cents == 101


@pytest.mark.parametrize(
    ("settler_run", "withhold_land_back", "expected"),
    [(True, True, 101), (True, False, 0), (False, False, 0), (False, True, 0)],
)
def test_land_back_is_withheld_only_for_settler_run_partners_who_chose_it(
    settler_run, withhold_land_back, expected
):
    result = run(
        scenario(
            partners={
                "acorn": partner(settler_run=settler_run, withhold_land_back=withhold_land_back)
            },
            members=[{"id": "ana", "paid_cents": 1001, "active_days": {"mail": 1}}],
        )
    )
    assert result.partners["acorn"].land_back_cents == expected


def test_a_small_balance_is_carried_forward():
    result = run(
        scenario(
            land_back_bp=0,
            partners={"acorn": partner(carried_cents=300)},
            members=[{"id": "ana", "paid_cents": 400, "active_days": {"mail": 2}}],
        )
    )
    acorn = result.partners["acorn"]
    assert (acorn.net_cents, acorn.payout_cents, acorn.carried_cents) == (400, 0, 700)
    assert result.balance.carried_delta_cents == 400


def test_carried_and_new_money_reaching_the_minimum_are_paid_together():
    result = run(
        scenario(
            land_back_bp=0,
            partners={"acorn": partner(carried_cents=600)},
            members=[{"id": "ana", "paid_cents": 400, "active_days": {"mail": 2}}],
        )
    )
    acorn = result.partners["acorn"]
    assert (acorn.payout_cents, acorn.carried_cents) == (1000, 0)
    assert result.balance.carried_delta_cents == -600
    assert result.balance.total_out_cents == 400


def test_a_carried_balance_alone_is_paid_once_it_reaches_the_minimum():
    result = run(scenario(partners={"acorn": partner(carried_cents=1000)}))
    assert result.partners["acorn"].payout_cents == 1000


@pytest.mark.parametrize("paid", [0, 1])
def test_zero_and_one_cent_payments(paid):
    result = run(
        scenario(
            pools_bp={"commons": 1000, "solidarity": 500},
            members=[{"id": "ana", "paid_cents": paid, "active_days": {"mail": 1}}],
        )
    )
    [ana] = result.members
    # One cent: providers' 8500 bp has the largest remainder.
    assert (ana.commons_cents, ana.solidarity_cents, ana.services) == (0, 0, {"mail": paid})
    assert result.balance.total_in_cents == result.balance.total_out_cents == paid


def test_an_empty_period_balances_at_zero():
    balance = run(scenario()).balance
    assert (balance.total_in_cents, balance.total_out_cents, balance.balanced) == (0, 0, True)


def test_rounding_goes_to_the_largest_remainder_and_ties_to_the_lower_digest():
    result = run(
        scenario(
            pools_bp={"commons": 1000, "solidarity": 500},
            members=[
                {"id": "dee", "paid_cents": 3, "active_days": {"mail": 1, "chat": 1}},
                {"id": "cam", "paid_cents": 2333, "active_days": {"mail": 5, "chat": 12}},
            ],
            services={"mail": "acorn", "chat": "creek"},
            partners={"acorn": partner(), "creek": partner(settler_run=False)},
        )
    )
    cam, dee = result.members
    assert (cam.commons_cents, cam.solidarity_cents, cam.providers_cents) == (233, 117, 1983)
    # 1983 × 5/17 = 583.2…, × 12/17 = 1399.7…: the cent goes to chat.
    assert cam.services == {"mail": 583, "chat": 1400}
    # dee's 3 cents: a tie between mail and chat, won by the lower sha256 digest (chat).
    assert dee.services == {"mail": 1, "chat": 2}


# Input hash and algorithm version


def test_the_input_hash_is_the_sha256_of_the_canonical_json():
    document = scenario(members=[{"id": "ana", "paid_cents": 5, "active_days": {"mail": 1}}])
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert run(document).input_hash == hashlib.sha256(canonical).hexdigest()


def test_the_input_hash_ignores_member_order_and_the_algorithm_field():
    members = [
        {"id": "ana", "paid_cents": 5, "active_days": {"mail": 1}},
        {"id": "ben", "paid_cents": 7, "active_days": {}},
    ]
    first = run(scenario(members=members))
    assert run(scenario(members=members[::-1])).input_hash == first.input_hash
    assert run(scenario(members=members, algorithm=ALGORITHM_VERSION)).input_hash == (
        first.input_hash
    )
    changed = copy.deepcopy(members)
    changed[0]["paid_cents"] = 6
    assert run(scenario(members=changed)).input_hash != first.input_hash


def test_another_algorithm_version_is_refused():
    assert problems(scenario(algorithm="solhost-split-0")) == [
        (
            "$.algorithm",
            f'this program computes {ALGORITHM_VERSION} and cannot reproduce "solhost-split-0"; '
            "use the version that matches the scenario",
        )
    ]


def test_the_result_names_its_algorithm_and_is_plain_json():
    result = run(scenario())
    assert result.algorithm == ALGORITHM_VERSION
    assert json.loads(json.dumps(result.as_dict()))["balance"]["balanced"] is True


# Problems, each with its path


def test_every_problem_is_listed_with_its_path():
    document = scenario(
        pools_bp={"commons": 6000, "solidarity": 5000},
        land_back_bp=10001,
        min_payout_cents=10.0,
        zero_usage_rule="nobody",
        services={"mail": "acorn", "chat": "nobody"},
        partners={"acorn": partner(), "my co-op": {"qualified": "yes"}},
        members=[
            {"id": "ana", "paid_cents": 12.5, "active_days": {"mail": 3, "video": 2}},
            {"id": "ana", "paid_cents": -1, "active_days": {"mail": True}, "note": "x"},
            "ben",
        ],
    )
    assert problems(document) == [
        (
            "$.pools_bp",
            "commons and solidarity together must be at most 10000 basis points, got 11000",
        ),
        ("$.land_back_bp", "must be a whole number of basis points ≥ 0 and ≤ 10000, got 10001"),
        ("$.min_payout_cents", "must be a whole number of cents ≥ 0, got 10.0"),
        ("$.zero_usage_rule", 'must be one of commons, solidarity, got "nobody"'),
        ('$.partners["my co-op"].carried_cents', "is required"),
        ('$.partners["my co-op"].settler_run', "is required"),
        ('$.partners["my co-op"].withhold_land_back', "is required"),
        ('$.partners["my co-op"].qualified', 'must be true or false, got "yes"'),
        ("$.services.chat", 'names the unknown partner "nobody"'),
        ("$.members[0].active_days.video", 'names the unknown service "video"'),
        ("$.members[0].paid_cents", "must be a whole number of cents ≥ 0, got 12.5"),
        ("$.members[1].note", "is not a field here"),
        ("$.members[1].id", "repeats the id of $.members[0]"),
        ("$.members[1].active_days.mail", "must be a whole number of days ≥ 0 and ≤ 31, got true"),
        ("$.members[1].paid_cents", "must be a whole number of cents ≥ 0, got -1"),
        ("$.members[2]", 'must be an object, got "ben"'),
    ]


def test_missing_fields_are_named_and_the_document_must_be_an_object():
    assert problems({"period": "2026-10", "algorithm": ALGORITHM_VERSION}) == [
        ("$.land_back_bp", "is required"),
        ("$.members", "is required"),
        ("$.min_payout_cents", "is required"),
        ("$.partners", "is required"),
        ("$.pools_bp", "is required"),
        ("$.services", "is required"),
        ("$.zero_usage_rule", "is required"),
    ]
    assert problems([]) == [("$", "must be an object, got a list")]


def test_active_days_cannot_exceed_the_days_of_the_period():
    member = {"id": "ana", "paid_cents": 100, "active_days": {"mail": 31}}
    assert problems(scenario(period="2026-11", members=[member])) == [
        ("$.members[0].active_days.mail", "must be a whole number of days ≥ 0 and ≤ 30, got 31")
    ]
    assert run(scenario(period="2026-10", members=[member])).partners["acorn"].active_days == 31


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "October", ""])
def test_the_period_is_a_month(period):
    [(path, _message)] = problems(scenario(period=period))
    assert path == "$.period"


def test_json_text_is_checked_too():
    assert load_scenario(json.dumps(scenario())).period == "2026-10"
    [(path, message)] = problems_of_text('{"period": "2026-10",}')
    assert path == "$"
    assert message.startswith("is not valid JSON: ")
    assert problems_of_text('{"period": "2026-10", "period": "2026-11"}') == [
        ("$", 'is not valid JSON: the key "period" appears twice in one object')
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@FAST
@given(json_values)
def test_any_json_document_is_either_a_scenario_or_a_list_of_problems(document):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(document)
    assert caught.value.problems
    assert all(path.startswith("$") and message for path, message in caught.value.problems)


# Whole scenarios, generated


@st.composite
def scenarios(draw):
    service_names = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=5, unique=True))
    partner_names = draw(st.lists(st.sampled_from("PQRSTU"), min_size=1, max_size=4, unique=True))
    commons = draw(st.integers(0, 10_000))
    amount = st.integers(0, 100_000)
    return {
        "period": draw(st.sampled_from(["2026-02", "2026-10", "2028-02"])),
        "pools_bp": {"commons": commons, "solidarity": draw(st.integers(0, 10_000 - commons))},
        "land_back_bp": draw(st.integers(0, 10_000)),
        "min_payout_cents": draw(st.integers(0, 20_000)),
        "zero_usage_rule": draw(st.sampled_from(["commons", "solidarity"])),
        "services": {s: draw(st.sampled_from(partner_names)) for s in service_names},
        "partners": {
            p: partner(
                settler_run=draw(st.booleans()),
                withhold_land_back=draw(st.booleans()),
                qualified=draw(st.booleans()),
                carried_cents=draw(amount),
            )
            for p in partner_names
        },
        "members": [
            {
                "id": f"m{i}",
                "paid_cents": draw(amount),
                "active_days": draw(
                    st.dictionaries(st.sampled_from(service_names), st.integers(0, 28))
                ),
            }
            for i in range(draw(st.integers(0, 8)))
        ],
    }


@FAST
@given(scenarios())
def test_every_scenario_balances_to_the_cent(document):
    result = run(document)
    balance = result.balance
    assert balance.balanced
    assert balance.total_in_cents == sum(m["paid_cents"] for m in document["members"])
    for member in result.members:
        assert member.paid_cents == (
            member.commons_cents + member.solidarity_cents + member.providers_cents
        )
        assert member.providers_cents == member.zero_usage_cents + sum(member.services.values())
    assert result.pools.providers_cents == sum(sum(m.services.values()) for m in result.members)
    for p in result.partners.values():
        assert p.gross_cents == p.land_back_cents + p.net_cents
        assert p.carried_in_cents + p.net_cents == p.held_cents + p.payout_cents + p.carried_cents


@FAST
@given(scenarios())
def test_every_partner_amount_is_whole_and_never_negative(document):
    result = run(document)
    for key, p in result.partners.items():
        for name, value in vars(p).items():
            if name.endswith("_cents"):
                assert type(value) is int
                assert value >= 0, (key, name, value)
        settings_of = document["partners"][key]
        if not settings_of["qualified"]:
            assert (p.payout_cents, p.carried_cents) == (0, settings_of["carried_cents"])
        if p.payout_cents:
            assert p.payout_cents >= document["min_payout_cents"]
        withholds = settings_of["settler_run"] and settings_of["withhold_land_back"]
        expected = -(-p.gross_cents * document["land_back_bp"] // 10_000) if withholds else 0
        assert p.land_back_cents == expected


@FAST
@given(scenarios(), st.randoms(use_true_random=False))
def test_the_split_is_deterministic_whatever_the_order_of_members(document, random):
    shuffled = copy.deepcopy(document)
    random.shuffle(shuffled["members"])
    assert run(shuffled) == run(document)
    assert run(document) == run(document)


@FAST
@given(scenarios(), st.data())
def test_a_scenario_with_any_field_replaced_is_split_or_refused_with_problems(document, data):
    field = data.draw(st.sampled_from(sorted(document)))
    document[field] = data.draw(json_values)
    try:
        assert run(document).balance.balanced
    except ScenarioError as error:
        assert error.problems
