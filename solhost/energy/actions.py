"""The write paths for energy: store an upload's readings, store a server's analysis.

Each runs in one transaction and records one AuditEvent. Readings are keyed by (server,
channel, ts_start): rows already stored are left as they are, so the same file sent twice
adds nothing, and a file with any problem stores nothing.
"""

import datetime
import itertools
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from solhost.core import audit
from solhost.core.audit import AuditAction
from solhost.core.models import parameter_value
from solhost.core.writes import atomic_write, check_editable
from solhost.energy.analysis import MET, analyse, daily_mix, outage_trace
from solhost.energy.canonical import Telemetry, TelemetryError
from solhost.energy.ingest import (
    Plausibility,
    UploadOptions,
    conflicts_with_stored,
    implausible,
    span_coverage,
)
from solhost.energy.models import EnergyAnalysis, PowerSystem, TelemetryReading, TelemetryUpload
from solhost.energy.stored import (
    local_day,
    parameters_at,
    site_for,
    site_timezone,
    stored_telemetry,
)
from solhost.energy.synthetic import synthetic_telemetry
from solhost.identity.models import User
from solhost.partners.models import Server
from solhost.partners.signals import announce_change

# Rows per INSERT: large enough to be quick, small enough for SQLite's variable limit.
BATCH_ROWS = 2000
# Below this many rows, plain INSERTs are as quick as COPY.
COPY_MIN_ROWS = 5000


def _insert(server: Server, telemetry: Telemetry, rows: np.ndarray) -> None:
    """Insert readings known to be new (the server's row is locked, so they stay new).

    Plain tuples rather than model objects: a site-year is close to a million rows.
    PostgreSQL takes large uploads by COPY, several times quicker again; elsewhere rows go
    in batches, and a clash with a row stored meanwhile is ignored.
    """
    table = TelemetryReading._meta.db_table
    columns = ("server_id", "channel", "ts_start", "interval_s", "energy_wh")
    values = zip(
        itertools.repeat(server.pk),
        telemetry.channel[rows].tolist(),
        telemetry.ts_start[rows].tolist(),
        telemetry.interval_s[rows].tolist(),
        telemetry.value[rows].tolist(),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS:
            with cursor.connection.cursor().copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in values:
                    copy.write_row(row)
            return
        insert = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608 (names from the model)
            "ON CONFLICT DO NOTHING"
        )
        while batch := list(itertools.islice(values, BATCH_ROWS)):
            cursor.executemany(insert, batch)


def store_telemetry(
    *,
    server: Server,
    telemetry: Telemetry,
    actor,
    via: str,
    options: UploadOptions,
    file_name: str = "",
) -> TelemetryUpload:
    """Store one upload's readings for ``server`` and record the upload.

    Raises TelemetryError (storing nothing) when a row contradicts a stored reading or is
    implausible for the server. Asks for the server's analysis to be redone once the upload
    is committed.
    """
    problems = implausible(telemetry, _plausibility(server))
    if problems:
        raise TelemetryError(problems)
    with transaction.atomic():
        # One upload per server at a time, so "already present" counts are exact.
        Server.objects.select_for_update().get(pk=server.pk)
        longest = int(telemetry.interval_s.max())
        first = int(telemetry.ts_start.min())
        end = int((telemetry.ts_start + telemetry.interval_s).max())
        stored = stored_telemetry(
            server,
            channels=sorted({int(c) for c in np.unique(telemetry.channel)}),
            since=first - longest,
            until=end,
        )
        problems = conflicts_with_stored(telemetry, stored)
        if problems:
            raise TelemetryError(problems)
        present = np.isin(
            telemetry.channel.astype(np.int64) * (1 << 40) + telemetry.ts_start,
            stored.channel.astype(np.int64) * (1 << 40) + stored.ts_start,
        )
        new_rows = np.flatnonzero(~present)
        _insert(server, telemetry, new_rows)
        upload = TelemetryUpload.objects.create(
            server=server,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            via=via,
            file_name=file_name[:200],
            format=options.format,
            options={k: v for k, v in asdict(options).items() if k != "format"}
            if options.format in ("emoncms", "home_assistant")
            else {},
            rows_received=len(telemetry),
            rows_added=len(new_rows),
            rows_already_present=len(telemetry) - len(new_rows),
            first_start=datetime.datetime.fromtimestamp(first, tz=datetime.UTC),
            last_end=datetime.datetime.fromtimestamp(end, tz=datetime.UTC),
            coverage_bp=round(span_coverage(telemetry) * 10000),
        )
        audit.record_saved(
            upload,
            actor=actor,
            action=AuditAction.TELEMETRY_UPLOAD,
            note=f"{upload.rows_added} readings added, {upload.rows_already_present} already stored",
        )
        if upload.rows_added:
            transaction.on_commit(lambda: _schedule_analysis(server.pk))
    return upload


def _plausibility(server: Server) -> Plausibility:
    """What the server's readings must keep within, by the parameters in force today."""
    today = timezone.localdate()
    return Plausibility(
        now=int(timezone.now().timestamp()),
        operation_started=server.operation_started,
        timezone=site_timezone(),
        margin_bp=int(parameter_value("telemetry_plausibility_margin_bp", at=today)),  # type: ignore[call-overload]
        max_site_power_w=int(parameter_value("telemetry_max_site_power_w", at=today)),  # type: ignore[call-overload]
        site=site_for(server),
    )


def _schedule_analysis(server_id: int) -> None:
    from solhost.energy.tasks import analyse_server

    analyse_server(server_id)


def analyse_server(
    *, server: Server, actor=None, at: datetime.date | None = None
) -> EnergyAnalysis | None:
    """Analyse the server's stored telemetry as of ``at`` and store the result.

    ``at`` defaults to the last day with data, or today if that is later than today. None
    (nothing stored) when the server has no readings or no described power system. Safe to
    re-run: the analysis of a server for a day is replaced, not added.
    """
    site = site_for(server)
    if site is None:
        return None
    telemetry = stored_telemetry(server)
    if not len(telemetry):
        return None
    today = timezone.localdate()
    last_data_day = local_day(int((telemetry.ts_start + telemetry.interval_s).max()) - 1)
    as_of = min(at or last_data_day, today)
    parameters, raw_parameters = parameters_at(as_of)
    result = analyse(telemetry, site, parameters, at=as_of)
    window_start = datetime.date.fromisoformat(result.window_start)
    share = result.renewable_share_365d
    values = {
        "window_start": window_start,
        "renewable_share_bp": None if share is None else round(share * 10000),
        "coverage_bp": round(result.coverage * 10000),
        "days_measured": round(result.coverage * parameters.renewable_window_days),
        "fully_renewable_day": (
            datetime.date.fromisoformat(result.s2_1.day)
            if result.s2_1.status == MET and result.s2_1.day
            else None
        ),
        "monthly": [asdict(m) for m in result.monthly],
        "s2_1_status": result.s2_1.status,
        "s2_1_reason": result.s2_1.reason,
        "s2_2_status": result.s2_2.status,
        "s2_2_reason": result.s2_2.reason,
        "s3_status": result.s3.status,
        "s3_reason": result.s3.reason,
        "outage": asdict(result.outage),
        "outage_trace": [
            asdict(p) for p in outage_trace(telemetry, site, parameters, result.outage)
        ],
        "daily_mix": [asdict(d) for d in daily_mix(telemetry, site, window_start, as_of)],
        "notes": result.notes,
        "parameters": raw_parameters,
    }
    with transaction.atomic():
        analysis, created = EnergyAnalysis.objects.update_or_create(
            server=server, as_of=as_of, defaults=values
        )
        audit.record(
            actor=actor,
            action=AuditAction.ANALYSIS_CREATE if created else AuditAction.ANALYSIS_UPDATE,
            obj=analysis,
            note=f"S2.1 {analysis.s2_1_status}, S2.2 {analysis.s2_2_status}, S3 {analysis.s3_status}",
        )
        # The charter's checks read the newest analysis: re-judge the partner with it, so
        # its dossier and qualification page say what the energy page says.
        announce_change(
            organisation=server.organisation,
            change=f"energy analysis of {server.name} as of {as_of}",
        )
    return analysis


def store_synthetic_telemetry(
    *, server: Server, days: int = 28, until: datetime.date | None = None
) -> TelemetryUpload:
    """Store ``days`` days of made-up hourly telemetry ending ``until`` (default yesterday),
    for trying the energy pages out before a site has meters.

    The server needs a power system. Safe to re-run: the same days give the same rows, which
    are already stored the second time.
    """
    site = site_for(server)
    if site is None:
        raise ValueError(f"server {server.slug!r} has no power system to make telemetry for")
    last = until or timezone.localdate() - datetime.timedelta(days=1)
    first = last - datetime.timedelta(days=days - 1)
    telemetry = synthetic_telemetry(site, first_day=first, days=days, seed=server.slug)
    return store_telemetry(
        server=server,
        telemetry=telemetry,
        actor=None,
        via=TelemetryUpload.Via.COMMAND,
        options=UploadOptions(),
        file_name="demo telemetry",
    )


# What a partner may say about a server's power system.
POWER_SYSTEM_FIELDS = (
    "pv_kwp",
    "pv_tilt_deg",
    "pv_azimuth_deg",
    "battery_nominal_wh",
    "battery_min_soc_pct",
    "battery_health_pct",
    "round_trip_efficiency_pct",
    "inverter_efficiency_pct",
    "essential_load_w",
    "grid_connected",
    "battery_accounting",
    "community_installation",
    "community_latitude",
    "community_longitude",
)


def save_power_system(*, server: Server, actor: User, data: Mapping[str, Any]) -> PowerSystem:
    """Describe, or correct, how the server's location is powered."""
    check_editable(data, POWER_SYSTEM_FIELDS)
    with atomic_write():
        current = PowerSystem.objects.select_for_update().filter(server=server).first()
        power = current or PowerSystem(server=server)
        action = AuditAction.POWER_SYSTEM_UPDATE if current else AuditAction.POWER_SYSTEM_CREATE
        # The server's power is judged under S2 and S3: re-judge its partner once committed.
        if audit.save_audited(power, data, actor=actor, action=action):
            announce_change(
                organisation=server.organisation,
                change=f"{action} by {audit.actor_label(actor)}",
            )
    return power
