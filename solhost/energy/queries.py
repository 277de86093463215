"""Reads of energy records that pages and other apps share."""

import datetime

from solhost.energy.models import EnergyAnalysis
from solhost.partners.models import Server


def latest_analysis(server: Server, *, at: datetime.date) -> EnergyAnalysis | None:
    """The newest stored analysis of ``server`` whose window ends on or before ``at``."""
    return server.energy_analyses.filter(as_of__lte=at).order_by("-as_of").first()
