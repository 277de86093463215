import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from solhost.core.money import format_dollars
from solhost.distribution.split import PeriodSplit, ScenarioError, load_scenario, split_period

# Exit status for a scenario that cannot be read or checked, as for a usage error.
BAD_SCENARIO = 2


def table(headers: list[str], rows: list[list[str]], align: str) -> list[str]:
    """Plain-text columns; ``align`` has a letter per column: ``l``eft, ``c``entre, ``r``ight."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            {"l": cell.ljust, "c": cell.center, "r": cell.rjust}[side](width)
            for cell, width, side in zip(cells, widths, align, strict=True)
        ).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *(line(row) for row in rows)]


def as_text(result: PeriodSplit) -> str:
    pools, balance = result.pools, result.balance
    lines = [
        f"Period {result.period}, algorithm {result.algorithm}",
        f"Input hash (sha256): {result.input_hash}",
        "Amounts in AUD.",
        "",
        "Pools",
        *table(
            ["pool", "amount"],
            [
                ["commons", format_dollars(pools.commons_cents)],
                ["solidarity", format_dollars(pools.solidarity_cents)],
                ["providers (partners' gross)", format_dollars(pools.providers_cents)],
                ["  of which land back withheld", format_dollars(pools.land_back_cents)],
            ],
            "lr",
        ),
        f"Residents with no usage sent {format_dollars(pools.zero_usage_cents)} to"
        f" {result.zero_usage_rule} (counted above).",
        "",
        "Partners",
        *table(
            [
                "partner",
                "qualified",
                "residents",
                "active days",
                "gross",
                "land back",
                "held",
                "carried in",
                "payout",
                "carried",
            ],
            [
                [
                    key,
                    "yes" if p.qualified else "no",
                    str(p.residents),
                    str(p.active_days),
                    format_dollars(p.gross_cents),
                    format_dollars(p.land_back_cents),
                    format_dollars(p.held_cents),
                    format_dollars(p.carried_in_cents),
                    format_dollars(p.payout_cents),
                    format_dollars(p.carried_cents),
                ]
                for key, p in result.partners.items()
            ],
            "lcrrrrrrrr",
        ),
        "",
        "Members",
        *table(
            ["member", "paid", "commons", "solidarity", "providers", "by service"],
            [
                [
                    m.id,
                    format_dollars(m.paid_cents),
                    format_dollars(m.commons_cents),
                    format_dollars(m.solidarity_cents),
                    format_dollars(m.providers_cents),
                    ", ".join(f"{s} {format_dollars(c)}" for s, c in m.services.items())
                    or f"no usage: to {result.zero_usage_rule}",
                ]
                for m in result.members
            ],
            "lrrrrl",
        ),
        "",
        "Balance: total in = commons + solidarity + land back + held + payouts"
        " + (carried out - carried in)",
        f"  {format_dollars(balance.total_in_cents)} = {format_dollars(balance.commons_cents)}"
        f" + {format_dollars(balance.solidarity_cents)} + {format_dollars(balance.land_back_cents)}"
        f" + {format_dollars(balance.held_cents)} + {format_dollars(balance.payout_cents)}"
        f" + ({format_dollars(balance.carried_out_cents)} - {format_dollars(balance.carried_in_cents)})"
        f" = {format_dollars(balance.total_out_cents)}",
        f"  balanced: {str(balance.balanced).lower()}",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Recompute a period's split from a scenario file, with no database: pools, "
        "partners' gross, land back, held, payouts and carried balances, to the cent."
    )
    # Runs offline on a file: nothing here depends on the database or the project's checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", required=True, help="the scenario JSON file")
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", help="default: text"
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["scenario"])
        try:
            scenario = load_scenario(path.read_text(encoding="utf-8"))
        except OSError as error:
            self.stderr.write(f"{path}: cannot read the scenario: {error.strerror}")
            raise SystemExit(BAD_SCENARIO) from error
        except UnicodeDecodeError as error:
            self.stderr.write(f"{path}: the scenario is not UTF-8 text: {error}")
            raise SystemExit(BAD_SCENARIO) from error
        except ScenarioError as error:
            count = len(error.problems)
            self.stderr.write(f"{path}: {count} problem{'s' if count > 1 else ''}:")
            for where, message in error.problems:
                self.stderr.write(f"{where}: {message}")
            raise SystemExit(BAD_SCENARIO) from error
        result = split_period(scenario)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(as_text(result))
