"""Energy pages: a server's public energy page, the region's overview, and for partners,
their power systems and telemetry upload.

The public pages show what the stored analysis found; each chart has a table beside it
holding the same numbers, so the pages work without JavaScript.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from solhost.core.dates import month_in_words
from solhost.core.forms import submit
from solhost.core.models import Parameter, parameter_value
from solhost.core.money import format_bp
from solhost.energy.actions import save_power_system
from solhost.energy.canonical import TelemetryError
from solhost.energy.forms import PowerSystemForm, TelemetryUploadForm
from solhost.energy.models import EnergyAnalysis, PowerSystem, TelemetryUpload
from solhost.energy.public_facts import analysis_words
from solhost.energy.queries import latest_analysis
from solhost.energy.upload import accept_upload, check_size, decode, problem_list
from solhost.energy.wording import STATUS_WORDS
from solhost.partners.models import Server
from solhost.partners.permissions import (
    membership_for_user,
    membership_may_act,
    organisation_for_user,
)

# Beyond about three months, days are too thin to read as bars; weeks are summed instead.
DAILY_MIX_MAX_DAYS = 92
MIX_SOURCES = (
    ("pv_wh", "Solar"),
    ("community_renewable_wh", "Community renewable"),
    ("grid_import_wh", "Grid"),
)
UPLOAD_HISTORY = 10


def _kwh(wh: float | None) -> float | None:
    return None if wh is None else round(wh / 1000, 2)


def _day_label(iso_day: str) -> str:
    """``2026-11-07`` as ``7 Nov 2026``."""
    day = datetime.date.fromisoformat(iso_day)
    return f"{day.day} {day:%b %Y}"


def _mix_rows(daily: list[dict]) -> tuple[str, list[dict]]:
    """The energy mix by day, or by week (from Monday) for longer spans, in kWh."""
    if len(daily) <= DAILY_MIX_MAX_DAYS:
        period, rows = "Day", [dict(d, label=d["day"]) for d in daily]
    else:
        period, weeks = "Week from", {}
        for day in daily:
            date = datetime.date.fromisoformat(day["day"])
            monday = (date - datetime.timedelta(days=date.weekday())).isoformat()
            week = weeks.setdefault(monday, {"label": monday})
            for key in ("pv_wh", "community_renewable_wh", "grid_import_wh", "load_wh"):
                if day.get(key) is not None:
                    week[key] = week.get(key, 0) + day[key]
        rows = list(weeks.values())
    return period, [
        {
            "label": _day_label(row["label"]),
            **{key: _kwh(row.get(key)) for key, _ in MIX_SOURCES},
            "load_wh": _kwh(row.get("load_wh")),
        }
        for row in rows
    ]


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _criterion(code: str, name: str, status: str, reason: str) -> dict:
    return {
        "code": code,
        "name": name,
        "status": status,
        "label": STATUS_WORDS.get(status, status),
        "reason": reason,
    }


def _threshold_bp(day: datetime.date) -> int | None:
    try:
        return int(parameter_value("renewable_min_share", at=day))  # type: ignore[call-overload]
    except Parameter.NoValueInForce:
        return None


def server_energy(request: HttpRequest, slug: str) -> HttpResponse:
    server = get_object_or_404(Server.objects.select_related("organisation"), slug=slug)
    analysis = latest_analysis(server, at=timezone.localdate())
    context: dict = {"server": server, "analysis": analysis}
    if analysis is not None:
        period, mix = _mix_rows(analysis.daily_mix)
        monthly = [
            {
                "month": month_in_words(m["month"]),
                "share": _percent(m["renewable_share"]),
                "coverage": _percent(m["coverage"]),
            }
            for m in analysis.monthly
        ]
        threshold_bp = analysis.parameters.get("renewable_min_share_bp", 0)
        renewable, outage = analysis_words(analysis, started=server.operation_started)
        context.update(
            renewable=renewable,
            outage_words=outage,
            period=period,
            mix=mix,
            monthly=monthly,
            threshold_bp=threshold_bp,
            trace=analysis.outage_trace,
            outage=analysis.outage,
            survival_percent=_percent(analysis.outage.get("survival_probability")),
            strict_survival_percent=_percent(analysis.outage.get("strict_survival_probability")),
            worst_start=(
                datetime.datetime.fromisoformat(analysis.outage["worst_start"])
                if analysis.outage.get("worst_start")
                else None
            ),
            criteria=[
                _criterion(
                    "S2.1", "A fully renewable day", analysis.s2_1_status, analysis.s2_1_reason
                ),
                _criterion("S2.2", "Renewable share", renewable.status, renewable.sentence),
                _criterion("S3", "Outage readiness", outage.status, outage.sentence),
            ],
            chart_data={
                "mix": {"period": period, "rows": mix, "sources": dict(MIX_SOURCES)},
                # Charts plot percentages as numbers; the text beside them is written exactly.
                "monthly": {"rows": monthly, "threshold": threshold_bp / 100},
                "outage": {
                    "rows": analysis.outage_trace,
                    "min_soc": server.power_system.battery_min_soc_pct
                    if hasattr(server, "power_system")
                    else 0,
                    "hours": analysis.outage.get("hours"),
                },
            },
        )
    return render(request, "energy/server.html", context)


def region_energy(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    newest = (
        EnergyAnalysis.objects.filter(server=OuterRef("pk"), as_of__lte=today)
        .order_by("-as_of")
        .values("pk")[:1]
    )
    servers = list(
        Server.objects.select_related("organisation")
        .annotate(analysis_id=Subquery(newest))
        .order_by("name")
    )
    # The charts' day-by-day series are not needed here, and are the bulk of each row.
    latest = EnergyAnalysis.objects.defer("daily_mix", "outage_trace", "monthly").in_bulk(
        [s.analysis_id for s in servers if s.analysis_id]
    )
    rows = []
    for server in servers:
        analysis = latest.get(server.analysis_id)
        row: dict = {"server": server, "analysis": analysis, "criteria": []}
        if analysis is not None:
            renewable, outage = analysis_words(analysis, started=server.operation_started)
            row.update(
                renewable=renewable,
                outage=outage,
                coverage_bp=analysis.coverage_bp,
                criteria=[
                    _criterion("S2.1", "", analysis.s2_1_status, analysis.s2_1_reason),
                    _criterion("S2.2", "", renewable.status, renewable.sentence),
                    _criterion("S3", "", outage.status, outage.sentence),
                ],
                # The chart compares judged shares only: four weeks of summer is not a year.
                charted_bp=None if renewable.thin else analysis.renewable_share_bp,
            )
        rows.append(row)
    threshold_bp = _threshold_bp(today)
    # Charts plot percentages as numbers; the text beside them is written exactly.
    chart = {
        "threshold": None if threshold_bp is None else threshold_bp / 100,
        "rows": [
            {"name": row["server"].name, "share": row["charted_bp"] / 100}
            for row in rows
            if row.get("charted_bp") is not None
        ],
    }
    return render(
        request,
        "energy/region.html",
        {
            "rows": rows,
            "threshold_bp": threshold_bp,
            "chart_data": chart,
        },
    )


@login_required
def telemetry_upload(request: HttpRequest, slug: str, server_slug: str) -> HttpResponse:
    membership = membership_for_user(request, slug)
    org = membership.organisation
    server = get_object_or_404(Server, organisation=org, slug=server_slug)
    can_upload = membership_may_act(membership)
    form = TelemetryUploadForm()
    problems: list[dict] = []
    if request.method == "POST":
        org = organisation_for_user(request, slug, edit=True)
        form = TelemetryUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                check_size(upload_file.size)
                upload = accept_upload(
                    server=server,
                    text=decode(upload_file.read()),
                    options=form.options(),
                    actor=request.user,
                    via=TelemetryUpload.Via.PAGE,
                    file_name=upload_file.name,
                )
            except TelemetryError as error:
                problems = problem_list(error)
            else:
                messages.success(
                    request,
                    f"Stored {upload.rows_added} new readings from {upload.file_name}; "
                    f"{upload.rows_already_present} were already stored. The file covers "
                    f"{format_bp(upload.coverage_bp)} of its time span.",
                )
                return redirect("energy:upload", org.slug, server.slug)
    return render(
        request,
        "energy/upload.html",
        {
            "organisation": org,
            "server": server,
            "form": form,
            "can_upload": can_upload,
            "problems": problems,
            "uploads": server.telemetry_uploads.select_related("uploaded_by")[:UPLOAD_HISTORY],
            "title": f"Telemetry of {server}",
        },
    )


@login_required
def power_edit(request: HttpRequest, slug: str, server_slug: str) -> HttpResponse:
    org = organisation_for_user(request, slug, edit=True)
    server = get_object_or_404(Server, organisation=org, slug=server_slug)
    existing = PowerSystem.objects.filter(server=server).first()
    form = PowerSystemForm(
        request.POST if request.method == "POST" else None,
        instance=existing or PowerSystem(server=server),
    )
    if request.method == "POST":
        if existing and not form.has_changed():
            messages.info(request, "Nothing was changed.")
            return redirect("partners:organisation", org.slug)
        if submit(
            form, lambda data: save_power_system(server=server, actor=request.user, data=data)
        ):
            messages.success(request, f"Saved the power system of {server}.")
            return redirect("partners:organisation", org.slug)
    # The partner's own pages share one edit template, so every form there looks alike.
    return render(
        request,
        "partners/edit.html",
        {
            "form": form,
            "organisation": org,
            "title": f"Power system of {server}",
            "submit": "Save power system",
            "intro": "How this server's location is powered: panels, battery and essential load.",
        },
    )
