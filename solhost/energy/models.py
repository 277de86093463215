from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

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
