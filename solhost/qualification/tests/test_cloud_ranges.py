import ipaddress
import json
from pathlib import Path

import pytest

from solhost.qualification.cloud_ranges import (
    HYPERSCALER_ASNS,
    CloudRange,
    CloudRangeIndex,
    CloudRangesError,
    company_named,
    company_of_asn,
    detect_provider,
    embedded_ipv4,
    parse_cloud_ranges,
    stored_networks,
)

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "cloud-ranges"
COMPANIES = ["Amazon", "Google", "Microsoft"]


def sample(name):
    return json.loads((SAMPLES / name).read_text())


@pytest.mark.parametrize(
    ("name", "provider", "count"),
    [
        ("aws-ip-ranges.json", "aws", 6),
        ("google-cloud.json", "google", 3),
        ("google-goog.json", "google", 3),
        ("azure-service-tags.json", "azure", 4),
    ],
)
def test_the_sample_files_in_the_real_formats_are_read(name, provider, count):
    document = sample(name)
    assert detect_provider(document) == provider
    assert len(parse_cloud_ranges(provider, document)) == count


def index_of_samples():
    return CloudRangeIndex(
        r
        for name in (
            "aws-ip-ranges.json",
            "google-cloud.json",
            "google-goog.json",
            "azure-service-tags.json",
        )
        for r in parse_cloud_ranges(detect_provider(sample(name)), sample(name))
    )


@pytest.mark.parametrize(
    ("address", "company", "network"),
    [
        ("3.24.0.0", "Amazon", "3.24.0.0/14"),
        ("3.27.255.255", "Amazon", "3.24.0.0/14"),
        ("13.236.9.1", "Amazon", "13.236.0.0/14"),
        ("2406:da1c:1::5", "Amazon", "2406:da1c::/36"),
        ("8.8.8.8", "Google", "8.8.8.0/24"),
        ("2001:4860:4860::8888", "Google", "2001:4860::/32"),
        ("13.70.64.10", "Microsoft", "13.70.64.0/18"),
        ("2603:1010:100::1", "Microsoft", "2603:1010:100::/40"),
    ],
)
def test_addresses_in_published_ranges_are_found_with_their_widest_block(address, company, network):
    found = index_of_samples().find(address)
    assert (found.company, str(found.network)) == (company, network)


@pytest.mark.parametrize(
    "address", ["3.23.255.255", "3.28.0.0", "198.51.100.20", "2001:db8::1", "not-an-ip"]
)
def test_addresses_outside_every_range_are_not_found(address):
    assert index_of_samples().find(address) is None


@pytest.mark.parametrize(
    ("ipv4", "company", "network"),
    [
        ("3.24.0.1", "Amazon", "3.24.0.0/14"),
        ("8.8.8.8", "Google", "8.8.8.0/24"),
        ("13.70.64.10", "Microsoft", "13.70.64.0/18"),
    ],
)
@pytest.mark.parametrize("spelling", ["mapped", "mapped in hex", "compatible", "6to4", "NAT64"])
def test_an_ipv6_address_carrying_an_ipv4_one_is_found_in_its_range(
    ipv4, company, network, spelling
):
    packed = ipaddress.IPv4Address(ipv4).packed.hex()
    high, low = packed[:4], packed[4:]
    address = {
        "mapped": f"::ffff:{ipv4}",
        "mapped in hex": f"::ffff:{high}:{low}",
        "compatible": f"::{ipv4}",
        "6to4": f"2002:{high}:{low}:1::5",
        "NAT64": f"64:ff9b::{ipv4}",
    }[spelling]
    found = index_of_samples().find(address)
    assert found is not None, address
    assert (found.company, str(found.network)) == (company, network)


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:198.51.100.20",  # mapped, but outside every range
        "::",  # unspecified, not 0.0.0.0
        "::1",  # loopback, not 0.0.0.1
        "2001:0:0318:0001::1",  # Teredo: a relay's address, not the server's host
        "64:ff9b:1::318:1",  # a network's own NAT64 prefix, which may mean anything
    ],
)
def test_other_ipv6_addresses_are_not_unwrapped(address):
    assert index_of_samples().find(address) is None


def test_embedded_ipv4_names_the_ipv4_address():
    assert embedded_ipv4(ipaddress.IPv6Address("::ffff:3.24.0.1")) == ipaddress.IPv4Address(
        "3.24.0.1"
    )
    assert embedded_ipv4(ipaddress.IPv6Address("::1")) is None
    assert embedded_ipv4(ipaddress.IPv6Address("2406:da1c:1::5")) is None


def test_nested_and_repeated_blocks_collapse_into_one_interval():
    assert len(index_of_samples()) == 13


def test_stored_networks_are_distinct_ipv4_first_and_in_address_order():
    ranges = [
        CloudRange(ipaddress.ip_network(text), "aws", "Amazon")
        for text in ("2600:1f00::/24", "52.95.0.0/16", "3.5.140.0/22", "52.95.0.0/16", "::/127")
    ]
    assert stored_networks(ranges) == [
        "3.5.140.0/22",
        "52.95.0.0/16",
        "::/127",
        "2600:1f00::/24",
    ]


def test_lookups_agree_with_checking_every_block():
    networks = [
        ipaddress.ip_network(f"10.{i}.{j * 16}.0/20") for i in range(0, 250, 3) for j in range(8)
    ]
    networks += [ipaddress.ip_network("10.30.0.0/15"), ipaddress.ip_network("10.30.7.0/24")]
    index = CloudRangeIndex(CloudRange(n, "aws", "Amazon") for n in networks)
    for i in range(0, 256, 5):
        for j in range(0, 256, 7):
            address = ipaddress.ip_address(f"10.{i}.{j}.1")
            expected = any(address in n for n in networks)
            assert (index.find(str(address)) is not None) == expected, address


def test_malformed_files_are_reported_with_json_paths():
    aws = {
        "prefixes": [{"ip_prefix": "3.24.0.0/14"}, {"ip_prefix": "3.24.0.0/33"}, {"region": "x"}]
    }
    with pytest.raises(CloudRangesError) as caught:
        parse_cloud_ranges("aws", aws)
    assert caught.value.problems == [
        ("$.ipv6_prefixes", "must be a list"),
        ("$.prefixes[1].ip_prefix", "is not a network in CIDR notation: '3.24.0.0/33'"),
        ("$.prefixes[2]", "must be an object with ip_prefix"),
    ]
    azure = {"values": [{"properties": {"addressPrefixes": ["13.70.64.0/18", 7]}}, {"name": "x"}]}
    with pytest.raises(CloudRangesError) as caught:
        parse_cloud_ranges("azure", azure)
    assert caught.value.problems == [
        ("$.values[0].properties.addressPrefixes[1]", "must be a network in CIDR notation, got 7"),
        ("$.values[1].properties.addressPrefixes", "must be a list"),
    ]
    with pytest.raises(
        CloudRangesError, match=r"\$\.prefixes\[0\]: must be an object with ipv4Prefix"
    ):
        parse_cloud_ranges(
            "google", {"prefixes": [{"ipv4Prefix": "8.8.8.0/24", "ipv6Prefix": "::/0"}]}
        )


def test_unknown_formats_and_providers_are_refused():
    with pytest.raises(CloudRangesError, match=r"not an AWS ip-ranges\.json"):
        detect_provider({"ranges": []})
    with pytest.raises(CloudRangesError, match="must be one of aws, google, azure"):
        parse_cloud_ranges("oracle", {})
    with pytest.raises(CloudRangesError, match="must be a JSON object"):
        parse_cloud_ranges("aws", [])


@pytest.mark.parametrize(
    ("declared", "company"),
    [
        ("AWS", "Amazon"),
        ("Amazon Web Services Australia Pty Ltd", "Amazon"),
        ("amazon.com, Inc.", "Amazon"),
        ("Google Cloud", "Google"),
        ("GCP (australia-southeast2)", "Google"),
        ("Microsoft Azure", "Microsoft"),
        ("azure", "Microsoft"),
        ("self-hosted", None),
        ("Googleplex Hosting Co-op", None),
        ("Goldfields Community Data Centre", None),
    ],
)
def test_declared_hosting_companies_are_matched_by_whole_words(declared, company):
    assert company_named(declared, COMPANIES) == company


def test_a_company_without_aliases_is_matched_by_its_own_name():
    assert company_named("Oracle Cloud Infrastructure", ["Oracle"]) == "Oracle"
    assert company_named("AWS", ["Google"]) is None


def test_the_asn_list_names_each_company():
    assert {16509, 14618} <= set(HYPERSCALER_ASNS["Amazon"])
    assert {15169, 396982} <= set(HYPERSCALER_ASNS["Google"])
    assert 8075 in HYPERSCALER_ASNS["Microsoft"]
    assert company_of_asn(396982, COMPANIES) == "Google"
    assert company_of_asn(16509, ["Google", "Microsoft"]) is None
    assert company_of_asn(64512, COMPANIES) is None
