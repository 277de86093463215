from solhost.distribution.ledger_lines import close_lines
from solhost.distribution.split import parse_scenario, split_period
from solhost.distribution.tests.test_split import partner, scenario

# 10 % commons, 5 % solidarity, 10 % land back. Rita pays $100 and uses acorn's mail and
# birch's forge alike; Sam pays $20 and uses nothing, so his share for partners goes to
# the commons. Acorn is qualified and passes on land back; birch is not qualified; cedar
# runs a service nobody used.
SCENARIO = scenario(
    pools_bp={"commons": 1000, "solidarity": 500},
    members=[
        {"id": "rita", "paid_cents": 10000, "active_days": {"mail": 10, "forge": 10}},
        {"id": "sam", "paid_cents": 2000, "active_days": {}},
    ],
    services={"mail": "acorn", "forge": "birch", "chat": "cedar"},
    partners={
        "acorn": partner(qualified=True, withhold_land_back=True),
        "birch": partner(qualified=False, withhold_land_back=False),
        "cedar": partner(qualified=True, withhold_land_back=False),
    },
)


def lines(released: dict[str, int]) -> list[tuple[str, int, str]]:
    return close_lines(
        split_period(parse_scenario(SCENARIO)),
        released,
        contributions="contributions",
        commons="commons",
        solidarity="solidarity",
        land_back="land back",
        held=lambda slug: f"held:{slug}",
        payable=lambda slug: f"payable:{slug}",
    )


def test_contributions_go_to_the_pools_the_payable_and_the_held_accounts():
    posted = lines({"acorn": 0, "birch": 0, "cedar": 0})
    assert posted == [
        ("contributions", 12000, ""),
        ("commons", -2900, ""),  # $10 + $2 of the pools' shares, and Sam's $17
        ("solidarity", -600, ""),
        ("land back", -425, ""),  # 10 % of acorn's $42.50, rounded up
        ("payable:acorn", -3825, "net of land back"),
        ("held:birch", -4250, "held: not qualified"),
    ]
    assert sum(cents for _, cents, _ in posted) == 0


def test_money_held_before_moves_to_payable_when_the_partner_qualifies():
    posted = lines({"acorn": 0, "birch": 0, "cedar": 700})
    assert posted[-2:] == [
        ("held:cedar", 700, "released to cedar"),
        ("payable:cedar", -700, "released held money"),
    ]
    assert sum(cents for _, cents, _ in posted) == 0
