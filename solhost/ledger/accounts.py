"""The chart of accounts: one name for each place money sits, and its Beancount spelling."""

from solhost.ledger.models import Account
from solhost.partners.models import Organisation

BANK = "assets:bank"
CONTRIBUTIONS = "income:contributions"
COMMONS = "liabilities:commons"
SOLIDARITY = "liabilities:solidarity"
LAND_BACK = "liabilities:land-back"

FIXED = {
    BANK: ("The steward's bank account", Account.Kind.ASSET),
    CONTRIBUTIONS: (
        "Residents' and sponsors' contributions, until a period is split",
        Account.Kind.INCOME,
    ),
    COMMONS: ("The commons pool: the steward's shared work", Account.Kind.LIABILITY),
    SOLIDARITY: ("The solidarity fund", Account.Kind.LIABILITY),
    LAND_BACK: ("Land back owed to First Nations programs", Account.Kind.LIABILITY),
}


def fixed_account(code: str) -> Account:
    name, kind = FIXED[code]
    account, _ = Account.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    return account


def payable_code(partner: Organisation) -> str:
    """What the steward owes the partner: paid at or above the minimum payout, else carried."""
    return f"liabilities:payable:{partner.slug}"


def held_code(partner: Organisation) -> str:
    """Money earned by a partner not qualified on a period's last day, kept until it qualifies."""
    return f"liabilities:held:{partner.slug}"


def payable_account(partner: Organisation) -> Account:
    """The account ``payable_code`` names, opened the first time money is posted to it."""
    account, _ = Account.objects.get_or_create(
        code=payable_code(partner),
        defaults={
            "name": f"Payable to {partner.name}",
            "kind": Account.Kind.LIABILITY,
            "partner": partner,
        },
    )
    return account


def held_account(partner: Organisation) -> Account:
    """The account ``held_code`` names, opened the first time money is posted to it."""
    account, _ = Account.objects.get_or_create(
        code=held_code(partner),
        defaults={
            "name": f"Held for {partner.name}",
            "kind": Account.Kind.LIABILITY,
            "partner": partner,
        },
    )
    return account


def beancount_name(code: str) -> str:
    """``liabilities:payable:mcc`` → ``Liabilities:Payable:Mcc`` (Beancount wants capitals)."""
    parts = []
    for part in code.split(":"):
        word = "".join(c if c.isalnum() or c == "-" else "-" for c in part)
        parts.append(word[:1].upper() + word[1:] if word[:1].isalpha() else f"X{word}")
    return ":".join(parts)
