import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from solhost.energy.canonical import CHANNELS
from solhost.energy.site import SINGLE_POOL, TWO_POOL
from solhost.partners.models import Server

percent = [MinValueValidator(0), MaxValueValidator(100)]


class PowerSystem(models.Model):
    """How a server's location is powered: its panels, battery and the load it must keep up."""

    server = models.OneToOneField(Server, on_delete=models.CASCADE, related_name="power_system")
    pv_kwp = models.FloatField("PV peak power (kWp)", validators=[MinValueValidator(0)])
    pv_tilt_deg = models.FloatField(
        "PV tilt (°)", default=20, validators=[MinValueValidator(0), MaxValueValidator(90)]
    )
    pv_azimuth_deg = models.FloatField(
        "PV azimuth (° from north)",
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(360)],
    )
    battery_nominal_wh = models.PositiveIntegerField("Battery nominal capacity (Wh)")
    battery_min_soc_pct = models.FloatField(
        "Battery minimum state of charge (%)", default=20, validators=percent
    )
    battery_health_pct = models.FloatField(
        "Battery state of health (%)", default=100, validators=percent
    )
    round_trip_efficiency_pct = models.FloatField(
        "Round-trip efficiency (%)", default=90, validators=percent
    )
    inverter_efficiency_pct = models.FloatField(
        "Inverter efficiency (%)", default=95, validators=percent
    )
    essential_load_w = models.FloatField(
        "Essential load (W)",
        validators=[MinValueValidator(0)],
        help_text="What must keep running in a blackout: the low-power, LoRes-level service.",
    )
    grid_connected = models.BooleanField(default=True)
    battery_accounting = models.CharField(
        max_length=12,
        choices=[
            (SINGLE_POOL, "One pool: grid energy counts when it is imported"),
            (TWO_POOL, "Two pools: grid energy stored in the battery counts when discharged"),
        ],
        default=SINGLE_POOL,
        help_text="When grid energy that charges the battery counts against the renewable share.",
    )
    community_installation = models.CharField(
        max_length=120,
        blank=True,
        help_text="A grassroots community solar or wind installation supplying this site.",
    )
    community_latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    community_longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )

    def __str__(self) -> str:
        return f"Power for {self.server}"

    @property
    def usable_battery_wh(self) -> float:
        return (
            self.battery_nominal_wh
            * self.battery_health_pct
            / 100
            * (1 - self.battery_min_soc_pct / 100)
        )


CHANNEL_CHOICES = [(code, name) for code, name in enumerate(CHANNELS)]


class TelemetryReading(models.Model):
    """One interval of one channel of a server's meters, as sent; never changed once stored.

    Kept small because a year of 5-minute data is about 100,000 rows per channel: times are
    UTC seconds since the epoch and the channel is its index in the canonical channel list.
    """

    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="telemetry")
    channel = models.PositiveSmallIntegerField(choices=CHANNEL_CHOICES)
    ts_start = models.BigIntegerField(help_text="Start of the interval, UTC seconds since 1970.")
    interval_s = models.PositiveIntegerField()
    energy_wh = models.FloatField(help_text="Wh, or per cent for soc_pct (end of interval).")

    class Meta:
        ordering = ["server", "channel", "ts_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "channel", "ts_start"], name="one_reading_per_channel_interval"
            )
        ]

    def __str__(self) -> str:
        return f"{self.server} {self.get_channel_display()} at {self.started}"

    @property
    def started(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.ts_start, tz=datetime.UTC)


class TelemetryUpload(models.Model):
    """One accepted file or API call: who sent what, and how much of it was new."""

    class Format(models.TextChoices):
        CANONICAL = "canonical", "Canonical CSV"
        EMONCMS = "emoncms", "emoncms feed export (JSON)"
        HOME_ASSISTANT = "home_assistant", "Home Assistant statistics (CSV)"
        SOLAR_PROTOCOL = "solar_protocol", "Solar Protocol charge-controller CSV"
        VICTRON = "victron", "Victron VRM export (CSV)"

    class Via(models.TextChoices):
        PAGE = "page", "Partner pages"
        API = "api", "API"
        COMMAND = "command", "Command line"

    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="telemetry_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    via = models.CharField(max_length=8, choices=Via.choices)
    file_name = models.CharField(max_length=200, blank=True)
    format = models.CharField(max_length=16, choices=Format.choices)
    options = models.JSONField(
        default=dict, blank=True, help_text="The adapter's options, e.g. channel and kind."
    )
    rows_received = models.PositiveIntegerField()
    rows_added = models.PositiveIntegerField()
    rows_already_present = models.PositiveIntegerField()
    first_start = models.DateTimeField(null=True, blank=True)
    last_end = models.DateTimeField(null=True, blank=True)
    coverage_bp = models.PositiveIntegerField(
        help_text="Share of the file's time span with data, in basis points."
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} for {self.server} at {self.uploaded_at:%Y-%m-%d %H:%M}"


class EnergyAnalysis(models.Model):
    """The analysis of one server's stored telemetry as of one day, with the parameters then."""

    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="energy_analyses")
    as_of = models.DateField(help_text="The last day of the window analysed.")
    computed_at = models.DateTimeField(auto_now=True)
    window_start = models.DateField()
    renewable_share_bp = models.PositiveIntegerField(null=True, blank=True)
    coverage_bp = models.PositiveIntegerField()
    days_measured = models.PositiveIntegerField()
    fully_renewable_day = models.DateField(null=True, blank=True)
    monthly = models.JSONField(default=list, help_text="[{month, renewable_share, coverage}]")
    s2_1_status = models.CharField(max_length=16)
    s2_1_reason = models.TextField()
    s2_2_status = models.CharField(max_length=16)
    s2_2_reason = models.TextField()
    s3_status = models.CharField(max_length=16)
    s3_reason = models.TextField()
    outage = models.JSONField(default=dict, help_text="The outage simulation's figures.")
    outage_trace = models.JSONField(
        default=list, help_text="The battery through the worst simulated outage, hour by hour."
    )
    daily_mix = models.JSONField(default=list, help_text="Energy by source per local day, Wh.")
    notes = models.JSONField(default=list, blank=True)
    parameters = models.JSONField(default=dict, help_text="The parameters in force on as_of.")

    class Meta:
        ordering = ["server", "-as_of"]
        verbose_name_plural = "energy analyses"
        constraints = [
            models.UniqueConstraint(fields=["server", "as_of"], name="one_analysis_per_server_day")
        ]

    def __str__(self) -> str:
        return f"Energy analysis of {self.server} as of {self.as_of}"
