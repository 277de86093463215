import datetime

from django.db import models

from solhost.partners.models import Server, Service
from solhost.region.models import Region

STATE_WORDS = {
    "active": "Active",
    "inactive": "Inactive",
    "maintenance": "In maintenance",
    "development": "In development",
}


class LoresRegion(models.Model):
    """The LoRes region a solhost region is, as its nodes describe it."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="lores")
    lores_id = models.CharField("LoRes region id", max_length=128, unique=True)
    name = models.CharField(max_length=200, blank=True)
    slug = models.CharField(max_length=200, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    organisation_url = models.CharField(max_length=500, blank=True)
    # The LoRes map's bounds; absent until the region's creator uploads a map.
    min_lat = models.FloatField(null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.lores_id


class ServerNodeClaim(models.Model):
    """Someone who runs a server said which LoRes node it is: the sync links by this."""

    server = models.OneToOneField(Server, on_delete=models.CASCADE, related_name="lores_claim")
    node_id = models.CharField("LoRes node id (public key)", max_length=128, unique=True)
    claimed_by = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return f"{self.server} is {self.node_id}"


class LoresNode(models.Model):
    """A node of the region's LoRes mesh, as last read, and the server it is (if known)."""

    class Link(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the steward"
        LINKED = "linked", "Linked to a server"
        DISMISSED = "dismissed", "Not one of the region's servers"

    lores_region = models.ForeignKey(LoresRegion, on_delete=models.CASCADE, related_name="nodes")
    lores_id = models.BigIntegerField("id on the LoRes node")
    node_id = models.CharField("node id (public key)", max_length=128, unique=True)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=20, blank=True)
    status_text = models.TextField(blank=True)
    public_ipv4 = models.CharField(max_length=64, blank=True)
    domain_on_local_network = models.CharField(max_length=253, blank=True)
    domain_on_internet = models.CharField(max_length=253, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    last_seen = models.DateTimeField(help_text="When a sync last found the node in its region.")
    link = models.CharField(max_length=10, choices=Link.choices, default=Link.PROPOSED)
    server = models.OneToOneField(
        Server, null=True, blank=True, on_delete=models.SET_NULL, related_name="lores_node"
    )

    class Meta:
        ordering = ["name", "node_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(link="linked", server__isnull=False)
                | (~models.Q(link="linked") & models.Q(server__isnull=True)),
                name="lores_node_linked_has_server",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.node_id

    def get_state_words(self) -> str:
        """The node's own state as its steward set it, in words."""
        return STATE_WORDS.get(self.state, "Not given by the node")


class NodeApp(models.Model):
    """A LoRes app installed on a node, from the region's app list."""

    node = models.ForeignKey(LoresNode, on_delete=models.CASCADE, related_name="apps")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="lores_node_app_once")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class ServiceOnLores(models.Model):
    """The sync's evidence that a service is available on the LoRes mesh (criterion V2): an
    app running its software is installed on a node linked to one of its partner's servers."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="on_lores")
    node = models.ForeignKey(LoresNode, on_delete=models.CASCADE, related_name="services")
    app_name = models.CharField(max_length=200)
    app_version = models.CharField(max_length=100, blank=True)
    found_at = models.DateTimeField(help_text="When a sync first found the app.")
    checked_at = models.DateTimeField(help_text="When a sync last found the app installed.")

    def __str__(self) -> str:
        return f"{self.service} on {self.node} ({self.app_name})"

    def evidence_words(self) -> str:
        """What V2 and the service page cite: which app, which node, when it was read."""
        version = f" {self.app_version}" if self.app_version else ""
        return (
            f"the LoRes app {self.app_name}{version} is installed on the node {self.node}, "
            f"read {self.checked_at.astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC"
        )


class SyncSource(models.Model):
    """A LoRes node solhost reads from, and how its last sync went."""

    url = models.URLField(unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url
