import ipaddress
import uuid
from collections.abc import Callable
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import models
from oauth2_provider.models import AbstractApplication
from oauth2_provider.validators import AllowedURIValidator

from solhost.core.addresses import unreadable
from solhost.core.outbound import ip_address, special_address_kind
from solhost.identity.browsers import browser_name

# RFC 8252 §7.3: a native app receives its callback on the device's loopback interface, on
# a port it picks at sign-in time, so plain http cannot be read on the network. "localhost"
# is refused although §8.3 only advises against it: a hosts file or resolver can point it
# off the device, and the provider does not match it on any port as it does the IP literals.
LOOPBACK_HOSTS = ("127.0.0.1", "::1")


def _private_use_scheme(scheme: str) -> bool:
    # RFC 8252 §7.1: an app's own scheme is a domain name it controls, reversed
    # (com.example.app). A dot also keeps out javascript:, data:, file: and the like.
    return "." in scheme and scheme not in ("http", "https")


# A service registers a few addresses of each kind. Every one is read at each sign-in or
# sign-out, and an approved public client's redirect URIs for every CORS preflight and
# refusal in the region: one client listing thousands slowed every browser app's.
MAX_URIS = 100


def too_many_uris(uris: list[str]) -> str | None:
    """Why ``uris`` are too many for one field of a client, or None."""
    if len(uris) <= MAX_URIS:
        return None
    return f"List at most {MAX_URIS} addresses here (this lists {len(uris)})."


def redirect_uri_problem(uri: str) -> str | None:
    """What is wrong with ``uri`` as a redirect (or after-sign-out) address, if anything.

    Allowed: https; http to the device's own loopback address for native apps; and, as
    django-oauth-toolkit allows, an app's private-use scheme (``com.example.app:/callback``).
    """
    if "#" in uri:
        return "cannot hold a #fragment"
    try:
        parts = urlsplit(uri)
    except ValueError:
        parts = None
    if not uri.isascii():
        # OAuth compares the address as the service sends it, and the region's protocol
        # library reads addresses in ASCII only: one registered otherwise never matches.
        written = _in_ascii(parts)
        if written is None:
            return (
                "holds characters outside ASCII: write its host in its xn-- form and "
                "percent-encode the rest"
            )
        return f"holds characters outside ASCII: write it as {written}"
    scheme = parts.scheme.lower() if parts else ""
    if parts and "@" in parts.netloc:
        return "cannot hold a user name or password"
    if scheme in ("http", "https"):
        try:
            URLValidator(schemes=[scheme])(uri)
        except ValidationError:
            return "is not a web address (it must start with https://)"
        if scheme == "https" or parts.hostname in LOOPBACK_HOSTS:
            return None
        if parts.hostname == "localhost":
            return (
                "names localhost, which can point to another machine: use "
                "http://127.0.0.1:<port>/ or http://[::1]:<port>/ for an app on the same device"
            )
        return (
            "must start with https:// (plain http:// is only for an app on the resident's "
            "own device, at http://127.0.0.1:<port>/ or http://[::1]:<port>/)"
        )
    if _private_use_scheme(scheme):
        try:
            AllowedURIValidator([scheme], "redirect", allow_path=True, allow_query=True)(uri)
        except ValidationError:
            return "is not a valid address for an app (e.g. com.example.app:/callback)"
        return None
    return (
        "is not a web address (it must start with https://, or be an app's own scheme "
        "named after a domain you control, such as com.example.app:/callback)"
    )


def _in_ascii(parts) -> str | None:
    """The address ``parts`` make, written in ASCII as services send it: the host in its
    xn-- form, the rest percent-encoded as UTF-8; None if the host has no such form."""
    if parts is None:
        return None
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = parts.hostname.encode("idna").decode()
            port = parts.port
        except (UnicodeError, ValueError):  # no IDNA form; a port that is no number
            return None
        netloc += f":{port}" if port is not None else ""
    kept = "/:@!$&'()*+,;=-._~%"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=kept),
            quote(parts.query, safe=kept + "?"),
            "",
        )
    )


def logout_uri_problem(uri: str) -> str | None:
    """What is wrong with ``uri`` as a service's back- or front-channel logout address.

    The region's servers post to the first, residents' browsers load the second: https
    only, like any address a service registers, except that a demo installation (no https)
    may sign out a service on the same machine over loopback http. A production region
    never reaches its own loopback, nor sends a browser to the resident's. An address
    written as an IP is judged here by ``logout_address_problem``; a name, by what it
    resolves to each time a token is sent (``backchannel.post_logout_token``).
    """
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. "https://[x/": a bracketed host that isn't one
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        return "is not a web address (it must start with https://)"
    problem = redirect_uri_problem(uri)
    if problem:
        return problem
    try:
        ip = ip_address(parts.hostname or "")
    except ValueError:  # a name: judged by what it resolves to when a token is sent
        return None
    problem = logout_address_problem(ip)
    return f"is {problem}" if problem else None


def logout_address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a service's logout address may not lead to ``ip``, or None.

    A private network address may: a region's services sit on its local networks and the
    LoRes mesh. The machine itself, link-local addresses (where cloud hosts hand out their
    secrets) and the like may not, except loopback in a demo installation without https,
    whose services run on the same machine.
    """
    kind = special_address_kind(ip)
    if kind is None or (kind == "loopback" and not settings.SECURE_SITE):
        return None
    if kind == "loopback":
        return "a loopback address, which only a demo installation without https may use"
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} address, where no service of the region can be"


class User(AbstractUser):
    """A person with a regional account: a resident, a partner's worker or the steward's staff."""

    # The OpenID Connect subject: stable for the life of the account and never reused.
    sub = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(max_length=150, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class ServiceClient(AbstractApplication):
    """An OpenID Connect client: how one partner service signs residents in.

    A partner registers it; it works only once the steward has approved it.
    """

    service = models.ForeignKey(
        "partners.Service", on_delete=models.PROTECT, related_name="oidc_clients"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class SubjectType(models.TextChoices):
        PUBLIC = "public", "the same for every service (public)"
        PAIRWISE = "pairwise", "its own for this co-op's services (pairwise)"

    # New clients get a resident's pairwise identifier, so co-ops can't match residents
    # across services; clients registered before that keep the public one they rely on.
    subject_type = models.CharField(
        max_length=8, choices=SubjectType.choices, default=SubjectType.PAIRWISE
    )
    # OpenID Connect Back-Channel Logout 1.0: where the region posts a logout token when
    # a resident's session ends, so the service signs them out too.
    backchannel_logout_uri = models.URLField(max_length=500, blank=True)
    backchannel_logout_session_required = models.BooleanField(default=True)
    # OpenID Connect Front-Channel Logout 1.0: the page the region loads, hidden, in the
    # resident's browser when they sign out there, with ``iss`` and ``sid`` if required.
    frontchannel_logout_uri = models.URLField(max_length=500, blank=True)
    frontchannel_logout_session_required = models.BooleanField(default=True)
    # Set by the steward for a co-op's API server (a resource server): it may introspect
    # the tokens issued to its co-op's other services, never another co-op's.
    introspects_its_coops_tokens = models.BooleanField(
        "may introspect its co-op's tokens",
        default=False,
        help_text="A resource server of its co-op: introspection answers it about tokens "
        "issued to any service of the same co-op, not only its own.",
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = "OpenID Connect client"

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def jwk_key(self):
        # The key the site's ring signs with now, where DOT's is the one settings read as
        # the process started: a rotation's key takes over at its time with no restart.
        # (Every client signs RS256: the region offers no other algorithm.)
        # Imported here: jwks imports DOT's views, which import these models.
        from solhost.identity.jwks import signing_key

        return signing_key()

    def get_absolute_url(self) -> str:
        # django-oauth-toolkit's points at its own client pages, which the region does not
        # serve (the admin's "view on site" was a server error): the service's page instead.
        return self.service.get_absolute_url()

    def clean(self) -> None:
        # The registration form, the action and the admin all save through here.
        problems: dict[str, list[str]] = {}
        for field in ("redirect_uris", "post_logout_redirect_uris"):
            uris = getattr(self, field).split()
            if too_many := too_many_uris(uris):
                problems[field] = [too_many]
            else:
                problems[field] = [
                    f"“{uri}” {problem}." for uri in uris if (problem := redirect_uri_problem(uri))
                ]
        for field in ("backchannel_logout_uri", "frontchannel_logout_uri"):
            uri = getattr(self, field)
            if uri and (problem := logout_uri_problem(uri)):
                problems[field] = [f"“{uri}” {problem}."]
        if any(problems.values()):
            raise ValidationError({field: found for field, found in problems.items() if found})
        super().clean()

    def get_allowed_schemes(self) -> list[str]:
        # The provider redirects only to these schemes: the web's, plus this client's own.
        uris = f"{self.redirect_uris} {self.post_logout_redirect_uris}".split()
        own = {urlsplit(uri).scheme.lower() for uri in uris}
        return ["https", "http", *sorted(s for s in own if _private_use_scheme(s))]

    def redirect_uri_allowed(self, uri: str) -> bool:
        return _registered(super().redirect_uri_allowed, uri)

    def post_logout_redirect_uri_allowed(self, uri: str) -> bool:
        return _registered(super().post_logout_redirect_uri_allowed, uri)

    @property
    def is_public(self) -> bool:
        return self.client_type == self.CLIENT_PUBLIC

    def is_usable(self, request) -> bool:
        # An unapproved client is unknown to the protocol: no authorization, no tokens.
        return self.approved


def _registered(allowed: Callable[[str], bool], uri: str) -> bool:
    """django-oauth-toolkit's comparison of ``uri`` with the registered addresses, except
    that an address urllib can't read (``http://[x/``, a port past 65535) is simply not
    one of them. DOT's raises ValueError, a server error for any request carrying it, and
    takes any port at all on a loopback address (RFC 8252 §7.3 means a real one)."""
    return unreadable(uri) is None and allowed(uri)


class Consent(models.Model):
    """A resident's standing yes to a service receiving the listed claims' scopes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    client = models.ForeignKey(ServiceClient, on_delete=models.CASCADE, related_name="consents")
    scopes = models.CharField(max_length=255)
    given_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="one_consent_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.client.service}"

    def covers(self, scopes) -> bool:
        return set(scopes) <= set(self.scopes.split())


class SignedInSession(models.Model):
    """One browser signed in to a resident's account, so they can see and end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    # The session's identifier for services (the ID token's ``sid``): unlike the session
    # key it is no secret, and it survives the key's rotation.
    sid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    started = models.DateTimeField()
    # When this browser last proved who it is, and how (RFC 8176 ``amr`` values): the ID
    # token's ``auth_time`` and ``amr`` come from here, not from the account.
    authenticated_at = models.DateTimeField(null=True, blank=True)
    amr = models.JSONField(default=list, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.user} since {self.started:%Y-%m-%d %H:%M}"

    @property
    def browser(self) -> str:
        """The browser in words ("Firefox on Windows"), from its User-Agent."""
        return browser_name(self.user_agent)


class LogoutDelivery(models.Model):
    """A back-channel logout token a service is owed, sent until it answers 200 or 204.

    One row per service and ended session (or per service, when a resident disconnects
    it): the retries, what each attempt got back and whether the region gave up are all
    here, so the steward can see which services did not sign a resident out.
    """

    class Reason(models.TextChoices):
        LOGOUT = "logout", "the resident signed out"
        SESSION_END = "session_end", "the resident ended that session"
        DISCONNECT = "disconnect", "the resident disconnected the service"
        PASSWORD = "password", "the password was changed or reset"
        DELETED = "deleted", "the resident's account was deleted"
        DEACTIVATED = "deactivated", "the steward deactivated the account"
        RENEWED = "renewed", "the steward renewed the account's credentials"
        RESTORED = "restored", "restored from a backup, which brought back what had ended since"

    client = models.ForeignKey(
        ServiceClient, on_delete=models.CASCADE, related_name="logout_deliveries"
    )
    # Kept if the account goes: the token names the resident by ``subject`` alone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The ``sub`` this service knows the resident by, and the ended session's ``sid``
    # (none when the service is to forget every session of the resident).
    subject = models.CharField(max_length=255)
    sid = models.UUIDField(null=True, blank=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["next_attempt_at"], name="logout_delivery_due")]
        verbose_name_plural = "logout deliveries"

    def __str__(self) -> str:
        try:
            to = self.client.service
        except ObjectDoesNotExist:
            # At a replica site, for a client removed since (its row is the standby's).
            to = "a removed client"
        return f"logout token to {to} ({self.get_reason_display()})"


class AccessEnd(models.Model):
    """A resident ended access that any site of the region may have granted: they
    disconnected a service, set a new password or erased their account, or the steward
    deactivated it or renewed its credentials. The row is the
    region's, so it reaches every site by replication, and each site ends what it issued
    before ``at`` (``identity.actions.apply_access_end``): a service signed in through one
    site keeps nothing another site's disconnect or new password took away.

    A region of one site records none: its own actions end everything there is.
    """

    # Which of ``LogoutDelivery.Reason`` apply: what services are told.
    REASONS = (
        LogoutDelivery.Reason.DISCONNECT,
        LogoutDelivery.Reason.PASSWORD,
        LogoutDelivery.Reason.DELETED,
        LogoutDelivery.Reason.DEACTIVATED,
        LogoutDelivery.Reason.RENEWED,
    )

    # No foreign key: an erased account's end outlives its row.
    resident_id = models.BigIntegerField()
    # The service disconnected; none for a new password, an erased, deactivated or renewed
    # account, which end every session and token.
    client = models.ForeignKey(
        ServiceClient, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=12, choices=[(r.value, r.label) for r in REASONS])
    at = models.DateTimeField()
    # The site the resident did it at (blank in a one-site region).
    site = models.CharField(max_length=63, blank=True)

    class Meta:
        ordering = ["at"]
        indexes = [models.Index(fields=["at"], name="access_end_at")]

    def __str__(self) -> str:
        return (
            f"resident {self.resident_id}: {self.get_reason_display()} at {self.at:%Y-%m-%d %H:%M}"
        )


class CredentialRenewal(models.Model):
    """The steward renewed accounts' credentials because they may have been copied (a
    stolen site holds every password hash and authenticator secret of the region): each
    account gets an unusable password and loses its authenticator app and recovery codes
    (security keys hold their secret themselves) at once, then is signed out everywhere
    and mailed a link to choose a new password (``identity.renewals``).

    Accounts are signed out in batches in id order, each batch committed with how far it
    got, so a run that stops resumes where it stopped.
    """

    why = models.TextField()
    started = models.DateTimeField(auto_now_add=True)
    # The accounts named; none for every account there was when it started (an account
    # made since chose its password after the copy).
    accounts = models.JSONField(default=list, blank=True)
    last_account_id = models.BigIntegerField()
    # The accounts whose passwords and authenticators it ended, all at once when it started.
    total = models.PositiveIntegerField("accounts", default=0)
    # Every account in scope up to this id is signed out everywhere, its mail queued.
    done_through = models.BigIntegerField(default=0)
    signed_out = models.PositiveIntegerField("signed out and mailed", default=0)
    # Active accounts renewed with no verified address to mail the link to: the steward
    # reaches them another way.
    not_mailed = models.PositiveIntegerField("no address to mail", default=0)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        scope = f"{len(self.accounts)} accounts" if self.accounts else "every account"
        return f"renewal of {scope}, started {self.started:%Y-%m-%d %H:%M} UTC: {self.why}"
