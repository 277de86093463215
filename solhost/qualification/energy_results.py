"""What the stored energy analysis says about a server, in the form qualification reads."""

import datetime

from solhost.energy.analysis import NEEDS_EVIDENCE
from solhost.energy.queries import latest_analysis
from solhost.partners.models import Server
from solhost.qualification.dossier import EnergyResults


def energy_results_for(server: Server, *, at: datetime.date) -> EnergyResults | None:
    """The numbers S2.1, S2.2 and S3 are judged from, as analysed on or before ``at``.

    None when the server has no analysed telemetry by then. A figure the analysis could not
    establish (too little coverage, no state of charge) is None, so qualification asks for
    evidence rather than judging from a fragment of a year.
    """
    analysis = latest_analysis(server, at=at)
    if analysis is None:
        return None
    outage_hours = analysis.outage.get("min_survival_hours")
    return EnergyResults(
        fully_renewable_day=analysis.fully_renewable_day,
        renewable_share_bp=(
            None if analysis.s2_2_status == NEEDS_EVIDENCE else analysis.renewable_share_bp
        ),
        days_measured=analysis.days_measured,
        outage_hours_survived=(
            None
            if analysis.s3_status == NEEDS_EVIDENCE or outage_hours is None
            else int(outage_hours)
        ),
        measured_share_bp=analysis.renewable_share_bp,
        coverage_bp=analysis.coverage_bp,
    )
