"""Sign-in limits that slow guessing down without locking anybody out.

Failed password checks are counted in Django's cache (Redis in production) in two ways:

- per **pair**, an account from one client address: an account is counted as itself
  (``account_tried``), whichever of its addresses was typed, so a guesser gains nothing
  by taking turns between them, nor from the owner adding or changing an address; an
  address no account has counts as itself. The first ``free_failures`` cost nothing,
  then each failure makes the pair's next attempt wait twice as long (2, 4, 8 … seconds,
  at most ``max_delay_seconds``). A success forgets the pair, and so does a day
  (``pair_memory_seconds``) without failures;
- per **address**, across all accounts (credential stuffing): ``address_failures`` within
  ``address_window_seconds``, then the same growing wait for that address.

An attempt that must still wait is refused before its password is checked, so waiting
cannot be skipped by guessing on. The owner signing in from another address is never
refused because of someone else's failures: their pair and address are their own.

When one account sees ``burst_failures`` within ``burst_window_seconds`` from any
addresses, its owner is emailed, at most once per ``alert_interval_seconds``. The
request does the same work whether or not the account exists; the job that sends the
mail finds the owner's address (``tasks.alert_owner_of_failed_sign_ins``).

The client address is ``REMOTE_ADDR``, which ``core.client_address`` sets to the real
client behind a trusted proxy. An IPv6 client counts as its /64 network, the block one
connection usually holds. Settings: ``SOLHOST_LOGIN_LIMITS`` (see docs/steward.md).

In a region of several sites each site counts in its own cache, and a pair's wait also
counts the failures other sites recorded for it, as far as they have reached this site
(receivers of ``failures_elsewhere``; docs/decisions/0012-sites.md): moving to another
site does not start a guesser afresh.
"""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Literal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from django.utils.translation import ngettext

from solhost.identity.tasks import alert_owner_of_failed_sign_ins

# While one attempt for a pair is being checked, others for it wait: without this, many
# guesses sent at the same instant would all be checked before any of them was counted.
# The mark lapses by itself if a server process dies mid-check.
CHECKING_SECONDS = 30

PREFIX = "login-limits"

# Sent with ``account`` (as ``account_tried`` names it), ``address`` (as ``address_key``
# makes it) and ``since`` (seconds since the epoch) when a pair's wait is judged. A
# receiver answers ``(failures, time of the last)`` that other sites of the region
# recorded for the pair since then, or None. None listens in a region of one site.
failures_elsewhere = Signal()


def now() -> float:
    """The clock the limits read (tests move it forward)."""
    return time.time()


@dataclass(frozen=True)
class Wait:
    """An attempt refused before its password was checked, and for how long."""

    seconds: int
    of: Literal["account", "address"]

    def message(self) -> str:
        if self.of == "account":
            return (
                f"Too many failed sign-ins to this account from your network. Please wait "
                f"{duration(self.seconds)}, then try again. If you have forgotten your "
                f"password, you can reset it."
            )
        return (
            f"Too many failed sign-ins from your network. Please wait "
            f"{duration(self.seconds)}, then try again."
        )


def duration(seconds: int) -> str:
    """``42`` → "42 seconds", ``150`` → "3 minutes" (rounded up, never shorter than true)."""
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def delay(failures: int, free: int) -> int:
    """Seconds to wait after the ``failures``-th failure when ``free`` of them cost nothing."""
    if failures <= free:
        return 0
    cap = _limits()["max_delay_seconds"]
    # Past the cap's bit length the power only grows; stop before it gets huge.
    return min(2 ** min(failures - free, cap.bit_length()), cap)


# How ``account_tried`` names what it counts. The space keeps the two apart: an address
# typed as "account 7" is an address, which no account has.
ACCOUNT = "account "
ADDRESS = "address "


def account_tried(tried: str) -> str:
    """The account a password was tried for, as the limits count it: ``"account <id>"``
    when ``tried`` is any of an account's addresses, else ``"address <tried>"``, lowercased.

    An account is counted by its id, not by an address, so that the owner adding, removing
    or changing the address they sign in with does not start a guesser's count afresh.
    One indexed read either way, so an attempt costs the same whether or not an account
    has the address.
    """
    tried = tried.strip().lower()
    owners = list(
        # allauth keeps addresses lowercased, and finds them so at sign-in.
        EmailAddress.objects.filter(email=tried).order_by().values_list("user_id", flat=True)[:2]
    )
    # Addresses are unique to one account; two owners would be data to fix, not to guess.
    if len(owners) == 1:
        return f"{ACCOUNT}{owners[0]}"
    return f"{ADDRESS}{tried}"


def owner_of(account: str) -> int | None:
    """The id of the account ``account`` (as ``account_tried`` names it) is, or None for an
    address no account had."""
    return int(account.removeprefix(ACCOUNT)) if account.startswith(ACCOUNT) else None


def addresses_of(account: str) -> list[str]:
    """Every address a password for ``account`` (as ``account_tried`` names it) could have
    been typed as, lowercased: the failures other sites recorded name the address typed."""
    owner = owner_of(account)
    if owner is None:
        return [account.removeprefix(ADDRESS)]
    owned = EmailAddress.objects.filter(user_id=owner).values_list("email", flat=True)
    return sorted({address.lower() for address in owned})


def start_attempt(request, account: str) -> Wait | None:
    """The wait before this attempt may be checked, or None: then it is marked as checking.

    Whoever gets None must call ``finish_attempt`` once the password was checked.
    """
    address = client_address(request)
    at = now()
    wait = _address_wait(address, at) or _pair_wait(account, address, at)
    if wait is not None:
        return wait
    if not cache.add(_key("checking", account, address), at, timeout=CHECKING_SECONDS):
        return Wait(seconds=1, of="account")
    return None


def finish_attempt(request, account: str) -> None:
    cache.delete(_key("checking", account, client_address(request)))


def record_failure(request, account: str) -> None:
    """Count a wrong password for the pair, the address and the account's burst."""
    limits = _limits()
    address = client_address(request)
    at = now()
    failures, _last = _local_pair_state(account, address, at)
    cache.set(
        _key("pair", account, address),
        (failures + 1, at),
        timeout=limits["pair_memory_seconds"],
    )
    window = limits["address_window_seconds"]
    # The wait is capped, so failures beyond budget + the cap's bit length change nothing.
    keep = limits["address_failures"] + limits["max_delay_seconds"].bit_length()
    recent = _recent(cache.get(_key("address", address), []), at, window)
    cache.set(_key("address", address), [*recent, at][-keep:], timeout=window)
    _count_burst(account, address, at)


def record_success(request, account: str) -> None:
    """The right password for the account: the pair starts afresh."""
    address = client_address(request)
    cache.delete(_key("pair", account, address))
    if failures_elsewhere.has_listeners():
        # Failures other sites recorded before this success are forgotten too.
        cache.set(
            _key("succeeded", account, address), now(), timeout=_limits()["pair_memory_seconds"]
        )


def forget_account(account: str) -> None:
    """After a password reset, every address's failures against the account are void."""
    cache.set(_key("cleared", account), now(), timeout=_limits()["pair_memory_seconds"])


def client_address(request) -> str:
    return address_key(request.META.get("REMOTE_ADDR", ""))


def address_key(raw: str) -> str:
    """The address the limits count a client as: its IPv4 address, or its IPv6 /64."""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def _limits() -> dict:
    return settings.SOLHOST_LOGIN_LIMITS


def _key(kind: str, *parts: str) -> str:
    # Hashed: an email or address typed by anybody never becomes a raw cache key.
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]
    return f"{PREFIX}:{kind}:{digest}"


def _recent(times: list[float], at: float, window: int) -> list[float]:
    return [t for t in times if at - t < window]


def _local_pair_state(account: str, address: str, at: float) -> tuple[int, float]:
    """(failures, time of the last one) this site counted for the pair, forgotten ones dropped."""
    failures, last = cache.get(_key("pair", account, address), (0, 0.0))
    cleared = cache.get(_key("cleared", account), 0.0)
    if last <= cleared or at - last >= _limits()["pair_memory_seconds"]:
        return 0, 0.0
    return failures, last


def _pair_state(account: str, address: str, at: float) -> tuple[int, float]:
    """(failures, time of the last one) for the pair: this site's, and other sites'."""
    failures, last = _local_pair_state(account, address, at)
    if not failures_elsewhere.has_listeners():
        return failures, last
    since = max(
        at - _limits()["pair_memory_seconds"],
        cache.get(_key("cleared", account), 0.0),
        cache.get(_key("succeeded", account, address), 0.0),
    )
    for _receiver, answer in failures_elsewhere.send(
        sender=None, account=account, address=address, since=since
    ):
        if answer:
            failures, last = failures + answer[0], max(last, answer[1])
    return failures, last


def _pair_wait(account: str, address: str, at: float) -> Wait | None:
    failures, last = _pair_state(account, address, at)
    remaining = last + delay(failures, _limits()["free_failures"]) - at
    return Wait(seconds=math.ceil(remaining), of="account") if remaining > 0 else None


def _address_wait(address: str, at: float) -> Wait | None:
    limits = _limits()
    recent = _recent(cache.get(_key("address", address), []), at, limits["address_window_seconds"])
    if not recent:
        return None
    remaining = recent[-1] + delay(len(recent), limits["address_failures"]) - at
    return Wait(seconds=math.ceil(remaining), of="address") if remaining > 0 else None


def _count_burst(account: str, address: str, at: float) -> None:
    """Note the failure against the account; at a burst, have its owner told (once an hour)."""
    limits = _limits()
    window = limits["burst_window_seconds"]
    needed = limits["burst_failures"]
    burst = [(t, a) for t, a in cache.get(_key("burst", account), []) if at - t < window]
    # Only how many addresses took part matters, so the addresses themselves stay out.
    burst = [*burst, (at, _key("from", address))][-needed:]
    cache.set(_key("burst", account), burst, timeout=window)
    if len(burst) < needed:
        return
    alerted = cache.get(_key("alerted", account))
    if alerted is not None and at - alerted < limits["alert_interval_seconds"]:
        return
    cache.set(_key("alerted", account), at, timeout=limits["alert_interval_seconds"])
    alert_owner_of_failed_sign_ins(
        owner_id=owner_of(account),
        failures=len(burst),
        addresses=len({a for _t, a in burst}),
        first=burst[0][0],
        last=at,
    )
