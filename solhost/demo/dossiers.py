"""The demo partners' charter dossiers, in three states a real region has at once.

- **Merri Creek Computing qualifies**: everything declared, a financial year inside every
  limit, evidence the steward approved (its off-site backup's data centre included), a
  year of meter readings, and a vote in each of the network's recent decisions.
- **Coburg Commons Tech needs evidence**: some declarations, evidence still awaiting the
  steward, no financial year and only four weeks of readings. Nothing fails; much is not
  shown yet.
- **Glenroy Solar Servers fails a criterion**: its dossier is complete, but it voted in
  none of the network's recent decisions, so network participation (B4) is not met.

Fawkner Fediverse Co-op has declared its year and little else. Every step goes through
the same actions as the partner pages, each in its own transaction, and is skipped when
its record exists, so loading the demo again adds nothing.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone

from solhost.governance.actions import (
    cast_vote,
    close_proposal,
    create_proposal,
    enact_proposal,
    open_proposal,
)
from solhost.governance.models import Proposal
from solhost.identity.models import User
from solhost.partners.models import Organisation, Server, Service
from solhost.qualification.actions.declarations import save_declarations, save_financial_year
from solhost.qualification.actions.evaluation import evaluate_partner
from solhost.qualification.actions.evidence import review_evidence, submit_evidence
from solhost.qualification.models import Evidence

YEAR_ENDS = datetime.date(2026, 6, 30)

# Declarations by partner; services named for LoRes recommendation by slug.
DECLARATIONS = {
    "merri-creek-computing": {
        "run_by": "settlers",
        "pay_ratio_plan": "Everyone is paid the same hourly rate; on-call loading may lift "
        "one worker's pay to at most one and a half times another's.",
        "pay_ratio_cap": Decimal("1.5"),
        "pay_ratio_actual": Decimal("1.2"),
        "union_workers": 4,
        "union_members": 4,
        "union_description": "All four workers are members of Professionals Australia.",
        "commons_stewardship": "Everyone with an account is a user member of the co-op with a "
        "vote at the annual meeting; one account in five is a free solidarity account.",
        "data_return": "Ninety days before closing, every user gets a link to a full export "
        "(files, calendars as iCalendar, contacts as vCard).",
        "user_migration": "Coburg Commons Tech has agreed to take over accounts; users are "
        "moved with their data unless they choose otherwise.",
        "infrastructure_handover": "Servers and the battery bank are offered to the region's "
        "other partners first, then to community groups.",
        "lores_recommended": ["creekside-sites"],
    },
    "coburg-commons-tech": {
        "run_by": "settlers",
        "pay_ratio_plan": "Pay is set each year by the members' meeting.",
        "union_workers": 7,
        "union_members": 5,
        "union_description": "Five of seven workers are members of the Community and Public "
        "Sector Union.",
        "commons_stewardship": "Community groups using the services are members with a seat "
        "on the board.",
        "data_return": "Room history and files are exported for every group on request.",
        "lores_recommended": ["coburg-noticeboard"],
    },
    "glenroy-solar-servers": {
        "run_by": "settlers",
        "statement_of_structure": "An unincorporated collective of three: surplus stays in "
        "the collective's account for equipment, and decisions are made by consensus.",
        "pay_ratio_plan": "The three of us are paid the same.",
        "pay_ratio_cap": Decimal("1"),
        "pay_ratio_actual": Decimal("1"),
        "union_workers": 3,
        "union_members": 3,
        "union_description": "All three are members of the Media, Entertainment and Arts Alliance.",
        "commons_stewardship": "Local software projects get accounts free; anyone may read "
        "the mirror without one.",
        "data_return": "Repositories are handed back as git bundles.",
        "user_migration": "Projects are moved to Codeberg or another partner's forge.",
        "infrastructure_handover": "The garage server goes to the Glenroy neighbourhood house.",
        "lores_recommended": ["glenroy-wiki-mirror"],
    },
}

# One financial year each, in cents: (gross, labour, FTE, surplus, investor returns,
# loan repayments, land back).
YEARS = {
    "merri-creek-computing": (24_000_000, 21_000_000, "4", 0, 0, 600_000, 2_400_000),
    "glenroy-solar-servers": (9_000_000, 7_800_000, "2.4", 0, 0, 300_000, 900_000),
    "fawkner-fediverse": (12_000_000, 10_500_000, "3", 0, 0, 300_000, 1_200_000),
}

# (criterion, title, server slug or None, public, approved)
EVIDENCE = {
    "merri-creek-computing": [
        ("B1.3", "Rules of Merri Creek Computing Co-operative", None, True, True),
        ("B1.4", "Union membership letter, 2026", None, False, True),
        ("B2", "User membership and solidarity accounts policy", None, True, True),
        ("B3", "Wind-down plan, reviewed 2026", None, True, True),
        (
            "S2",
            "Goldfields Community Data Centre: renewable supply statement, 2026",
            "mcc-backup-bendigo",
            True,
            True,
        ),
    ],
    "coburg-commons-tech": [
        ("B1.3", "Rules of Coburg Commons Tech", None, True, False),
        ("B1.4", "Union membership list", None, False, False),
    ],
    "glenroy-solar-servers": [
        ("B1.3", "Statement of structure, signed by the collective", None, True, True),
        ("B1.4", "Union membership cards", None, False, True),
        ("B2", "Free accounts for local projects", None, True, True),
        ("B3", "Wind-down plan", None, True, True),
    ],
}

# Two decisions the network closed in the last year, and who voted in them: B4 judges
# each partner's part in them. Days are before the demo is loaded.
PAST_DECISIONS = [
    {
        "title": "Suggest four monthly contribution tiers on the sliding scale",
        "reasoning": "Residents asked what is a fair amount to pay; four suggestions from "
        "nothing to $25 a month answer that without setting a price.",
        "resolution": "The contribution page suggests $0, $5, $12 and $25 a month; any other "
        "amount stays possible.",
        "opened_days_ago": 120,
        "voters": ("merri-creek-computing", "coburg-commons-tech", "fawkner-fediverse"),
    },
    {
        "title": "Review outage readiness after the first winter",
        "reasoning": "Two sites ran low on their batteries in June; the network should look "
        "at the numbers together before changing anything.",
        "resolution": "Each partner shares its winter outage simulation at the next network "
        "meeting; the 72-hour requirement stays as it is until then.",
        "opened_days_ago": 45,
        "voters": ("merri-creek-computing", "coburg-commons-tech", "fawkner-fediverse"),
    },
]
DECISION_OPEN_DAYS = 8
# The demo login who acts for each partner.
ADMINS = {
    "merri-creek-computing": "priya",
    "coburg-commons-tech": "jess",
    "glenroy-solar-servers": "lin",
    "fawkner-fediverse": "sam",
}


def _declare(organisation: Organisation, actor: User, declared: Mapping) -> None:
    if hasattr(organisation, "declarations"):
        return
    data = {key: value for key, value in declared.items() if key != "lores_recommended"}
    if "lores_recommended" in declared:
        data["lores_recommended"] = list(
            Service.objects.filter(
                organisation=organisation, slug__in=declared["lores_recommended"]
            )
        )
    save_declarations(organisation=organisation, actor=actor, data=data)


def _year(organisation: Organisation, actor: User, figures: tuple) -> None:
    if organisation.financial_years.filter(ends=YEAR_ENDS).exists():
        return
    gross, labour, fte, surplus, investors, loans, land_back = figures
    save_financial_year(
        organisation=organisation,
        actor=actor,
        data={
            "ends": YEAR_ENDS,
            "gross_revenue_cents": gross,
            "labour_payments_cents": labour,
            "fte": Decimal(fte),
            "surplus_cents": surplus,
            "investor_returns_cents": investors,
            "loan_repayments_cents": loans,
            "land_back_cents": land_back,
        },
    )


def _evidence(organisation: Organisation, actor: User, steward: User, items: list) -> None:
    for criterion, title, server_slug, public, approved in items:
        if Evidence.objects.filter(organisation=organisation, title=title).exists():
            continue
        evidence = submit_evidence(
            organisation=organisation,
            actor=actor,
            data={
                "criterion": criterion,
                "server": Server.objects.get(slug=server_slug) if server_slug else None,
                "service": None,
                "title": title,
                "link": f"{organisation.website}/charter/{criterion.lower()}",
                "public": public,
                "valid_from": None,
                "valid_until": None,
            },
        )
        if approved:
            review_evidence(evidence=evidence, reviewer=steward, decision="approved")


def _past_decisions(people: Mapping[str, User], organisations: Mapping[str, Organisation]):
    """Open, vote in and close the network's past decisions, each on its own days."""
    now = timezone.now()
    for decision in PAST_DECISIONS:
        if Proposal.objects.filter(title=decision["title"]).exists():
            continue
        opened = now - datetime.timedelta(days=decision["opened_days_ago"])
        proposal = create_proposal(
            organisation=organisations["merri-creek-computing"],
            author=people["priya"],
            decision_type="consent",
            title=decision["title"],
            reasoning=decision["reasoning"],
            resolution=decision["resolution"],
        )
        open_proposal(
            proposal=proposal,
            actor=people["priya"],
            now=opened,
            closes_at=opened + datetime.timedelta(days=DECISION_OPEN_DAYS),
        )
        for voter in decision["voters"]:
            cast_vote(
                proposal=proposal,
                organisation=organisations[voter],
                actor=people[ADMINS[voter]],
                choice="agree",
                now=opened + datetime.timedelta(days=1),
            )
        enact_proposal(proposal=close_proposal(proposal=proposal))


def load_demo_dossiers(
    *, people: Mapping[str, User], organisations: Mapping[str, Organisation]
) -> None:
    """Dossiers, evidence and past decisions for the demo's partners, each judged after.

    ``people`` and ``organisations`` are the demo's own, by username and slug. Each step is
    an action with its own transaction, as on the partner pages.
    """
    _past_decisions(people, organisations)
    for slug, login in ADMINS.items():
        organisation, admin = organisations[slug], people[login]
        if slug in DECLARATIONS:
            _declare(organisation, admin, DECLARATIONS[slug])
        if slug in YEARS:
            _year(organisation, admin, YEARS[slug])
        _evidence(organisation, admin, people["ren"], EVIDENCE.get(slug, []))
        # Each step above judges the partner; one that had none to take is judged here.
        if not organisation.qualification_runs.exists():
            evaluate_partner(
                organisation=organisation, at=timezone.localdate(), trigger="demo loaded"
            )
