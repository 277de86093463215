"""The IP ranges Amazon, Google and Microsoft publish, and a fast lookup in them. Pure: no Django.

Each company publishes its ranges as JSON in its own shape:

- Amazon: ``ip-ranges.json``, ``prefixes[].ip_prefix`` and ``ipv6_prefixes[].ipv6_prefix``;
- Google: ``cloud.json`` (its cloud customers) and ``goog.json`` (all of Google),
  ``prefixes[].ipv4Prefix`` or ``prefixes[].ipv6Prefix``;
- Microsoft: the Azure Service Tags file, ``values[].properties.addressPrefixes[]``.

Problems are reported with their JSON path, e.g. ``$.prefixes[3].ip_prefix``.
"""

import ipaddress
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from solhost.core.problems import InputProblems
from solhost.core.safe_json import whole_number

PROVIDER_COMPANIES: Final[Mapping[str, str]] = {
    "aws": "Amazon",
    "google": "Google",
    "azure": "Microsoft",
}

# Autonomous systems the three companies announce their cloud and service networks from,
# in the companies' spelling of the parameter ``excluded_cloud_companies``.
HYPERSCALER_ASNS: Final[Mapping[str, tuple[int, ...]]] = {
    "Amazon": (16509, 14618, 7224, 8987),
    "Google": (15169, 396982, 19527, 36040, 43515),
    "Microsoft": (8075, 8068, 8069, 12076, 3598),
}

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class CloudRangesError(InputProblems):
    """A ranges file with problems; ``problems`` lists ``(path, message)`` pairs."""


@dataclass(frozen=True)
class CloudRange:
    """One published network block and whose it is."""

    network: IPNetwork
    provider: str
    company: str


def detect_provider(document: object) -> str:
    """Tell which company's format a decoded ranges file is in: ``aws``, ``google`` or ``azure``."""
    if isinstance(document, dict):
        if "values" in document:
            return "azure"
        prefixes = document.get("prefixes")
        if "ipv6_prefixes" in document or "createDate" in document:
            return "aws"
        if isinstance(prefixes, list) and prefixes and isinstance(prefixes[0], dict):
            first = prefixes[0]
            if "ip_prefix" in first:
                return "aws"
            if "ipv4Prefix" in first or "ipv6Prefix" in first:
                return "google"
    raise CloudRangesError(
        [("$", "not an AWS ip-ranges.json, Google cloud.json/goog.json or Azure Service Tags file")]
    )


def _network(value: object, path: str, problems: list[tuple[str, str]]) -> IPNetwork | None:
    if not isinstance(value, str):
        problems.append((path, f"must be a network in CIDR notation, got {value!r}"))
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        problems.append((path, f"is not a network in CIDR notation: {value!r}"))
        return None


def _list_at(
    document: dict[str, object], key: str, problems: list[tuple[str, str]]
) -> list[object]:
    value = document.get(key)
    if not isinstance(value, list):
        problems.append((f"$.{key}", "must be a list"))
        return []
    return value


def _aws(document: dict[str, object], problems: list[tuple[str, str]]) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for key, field in (("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")):
        for i, entry in enumerate(_list_at(document, key, problems)):
            path = f"$.{key}[{i}]"
            if not isinstance(entry, dict) or field not in entry:
                problems.append((path, f"must be an object with {field}"))
            else:
                found.append((f"{path}.{field}", entry[field]))
    return found


def _google(
    document: dict[str, object], problems: list[tuple[str, str]]
) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for i, entry in enumerate(_list_at(document, "prefixes", problems)):
        path = f"$.prefixes[{i}]"
        fields = [f for f in ("ipv4Prefix", "ipv6Prefix") if isinstance(entry, dict) and f in entry]
        if not isinstance(entry, dict) or len(fields) != 1:
            problems.append((path, "must be an object with ipv4Prefix or ipv6Prefix"))
        else:
            found.append((f"{path}.{fields[0]}", entry[fields[0]]))
    return found


def _azure(
    document: dict[str, object], problems: list[tuple[str, str]]
) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for i, tag in enumerate(_list_at(document, "values", problems)):
        path = f"$.values[{i}].properties.addressPrefixes"
        properties = tag.get("properties") if isinstance(tag, dict) else None
        prefixes = properties.get("addressPrefixes") if isinstance(properties, dict) else None
        if not isinstance(prefixes, list):
            problems.append((path, "must be a list"))
            continue
        found += [(f"{path}[{j}]", prefix) for j, prefix in enumerate(prefixes)]
    return found


def _path_order(problem: tuple[str, str]) -> list[tuple[int, str]]:
    """Sorts ``$.prefixes[10]`` after ``$.prefixes[9]``."""
    return [
        (number, "") if (number := whole_number(part)) is not None else (-1, part)
        for part in re.split(r"(\d+)", problem[0])
    ]


_READERS = {"aws": _aws, "google": _google, "azure": _azure}


def parse_cloud_ranges(provider: str, document: object) -> list[CloudRange]:
    """Read one provider's published ranges.

    Args:
        provider: ``aws``, ``google`` or ``azure``.
        document: the decoded JSON file.

    Raises:
        CloudRangesError listing every problem with its JSON path.
    """
    if provider not in _READERS:
        raise CloudRangesError(
            [("(provider)", f"must be one of {', '.join(_READERS)}, got {provider!r}")]
        )
    if not isinstance(document, dict):
        raise CloudRangesError([("$", "must be a JSON object")])
    problems: list[tuple[str, str]] = []
    located = _READERS[provider](document, problems)
    networks = []
    for path, value in located:
        network = _network(value, path, problems)
        if network is not None:
            networks.append(network)
    if problems:
        raise CloudRangesError(sorted(problems, key=_path_order))
    company = PROVIDER_COMPANIES[provider]
    return [CloudRange(network, provider, company) for network in networks]


def stored_networks(ranges: Iterable[CloudRange]) -> list[str]:
    """Each distinct network once, as text: IPv4 before IPv6, each in address order."""
    networks: set[IPNetwork] = {r.network for r in ranges}
    return [str(n) for n in sorted(networks, key=lambda n: (n.version, n))]


_NAT64_WELL_KNOWN: Final = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is written as one.

    - IPv4-mapped, ``::ffff:3.24.0.1`` (RFC 4291 2.5.5.2): the IPv4 host itself;
    - IPv4-compatible, ``::3.24.0.1`` (deprecated by RFC 4291 2.5.5.1), except ``::`` and
      ``::1``, which are the unspecified and loopback addresses;
    - 6to4, ``2002:0318:0001::/48`` (RFC 3056): its traffic is tunnelled to 3.24.0.1;
    - NAT64's well-known prefix, ``64:ff9b::3.24.0.1`` (RFC 6052): translated to 3.24.0.1.

    Teredo (``2001::/32``) is not unwrapped: its IPv4 parts are a relay and an obfuscated
    client behind a NAT, not where the server is hosted.
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip))
    return None


class CloudRangeIndex:
    """Answers "which published range holds this address?" in O(log n).

    CIDR blocks either nest or do not touch, so after dropping blocks that lie inside a
    wider one, the rest are disjoint intervals sorted by their first address; a binary
    search finds the only one that can hold an address.
    """

    def __init__(self, ranges: Iterable[CloudRange] = ()):
        by_version: dict[int, list[tuple[int, int, CloudRange]]] = {4: [], 6: []}
        for cloud_range in ranges:
            network = cloud_range.network
            first = int(network.network_address)
            last = int(network.broadcast_address)
            by_version[network.version].append((first, last, cloud_range))
        self._intervals: dict[int, list[tuple[int, int, CloudRange]]] = {}
        self._starts: dict[int, list[int]] = {}
        for version, intervals in by_version.items():
            intervals.sort(key=lambda item: (item[0], -item[1]))
            disjoint: list[tuple[int, int, CloudRange]] = []
            for interval in intervals:
                if disjoint and interval[0] <= disjoint[-1][1]:
                    continue
                disjoint.append(interval)
            self._intervals[version] = disjoint
            self._starts[version] = [first for first, _, _ in disjoint]

    def __len__(self) -> int:
        return sum(len(intervals) for intervals in self._intervals.values())

    def find(self, address: str) -> CloudRange | None:
        """The published range holding ``address``, or None (also for text that is no address).

        An IPv6 address that carries an IPv4 one (see ``embedded_ipv4``) is also looked up
        as that IPv4 address, which is where its packets end up.
        """
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        found = self._find(ip)
        if found is None and isinstance(ip, ipaddress.IPv6Address):
            ipv4 = embedded_ipv4(ip)
            if ipv4 is not None:
                found = self._find(ipv4)
        return found

    def _find(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> CloudRange | None:
        number = int(ip)
        i = bisect_right(self._starts[ip.version], number) - 1
        if i < 0:
            return None
        first, last, cloud_range = self._intervals[ip.version][i]
        return cloud_range if first <= number <= last else None


# Names people write for the three companies' clouds, keyed by the company's name in the
# parameter ``excluded_cloud_companies``. A company the network adds later without aliases
# is still matched by its own name.
COMPANY_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "Amazon": ("amazon", "amazon web services", "aws", "lightsail", "ec2"),
    "Google": ("google", "google cloud", "google cloud platform", "gcp", "gcloud"),
    "Microsoft": ("microsoft", "microsoft azure", "azure", "msft"),
}


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def company_named(declared: str, companies: Iterable[str]) -> str | None:
    """Which of ``companies`` the declared hosting company names, word for word, if any.

    ``"Amazon Web Services Australia Pty Ltd"`` and ``"AWS Sydney"`` name Amazon;
    ``"Googleplex Hosting Co-op"`` names nobody, since aliases match whole words only.
    """
    text = _words(declared)
    for company in companies:
        for alias in (*COMPANY_ALIASES.get(company, ()), company):
            if _words(alias) in text:
                return company
    return None


def company_of_asn(asn: int, companies: Iterable[str]) -> str | None:
    """Which of ``companies`` announces its networks from autonomous system ``asn``, if any."""
    return next((c for c in companies if asn in HYPERSCALER_ASNS.get(c, ())), None)
