"""A region at the scale the public pages must hold: the demo, grown to 50 partners and
1,000 services, each partner with a server of its own inside the region.

Usage (against the database that ``DATABASE_URL`` names, already migrated):
    python benchmarks/region_at_scale.py [--partners N] [--services N]

The page benchmarks import ``grow_region`` instead. Prints JSON: the counts, and the slugs
of a busy partner and one of its services, for the benchmarks to ask for.
"""

import argparse
import datetime
import json
import os
import random
import sys
from pathlib import Path

# What the grown region's services run, by kind slug: (software, licence, source).
SOFTWARE = {
    "files": [
        ("Nextcloud", "AGPL-3.0-or-later", "https://github.com/nextcloud/server"),
        ("Seafile", "AGPL-3.0-only", "https://github.com/haiwen/seafile"),
    ],
    "chat": [
        ("Synapse", "AGPL-3.0-or-later", "https://github.com/element-hq/synapse"),
        ("Prosody", "MIT", "https://hg.prosody.im/"),
    ],
    "video": [("Jitsi Meet", "Apache-2.0", "https://github.com/jitsi/jitsi-meet")],
    "websites": [
        ("WordPress", "GPL-2.0-or-later", "https://github.com/WordPress/WordPress"),
        ("Hugo", "Apache-2.0", "https://github.com/gohugoio/hugo"),
    ],
    "code": [("Forgejo", "GPL-3.0-or-later", "https://codeberg.org/forgejo/forgejo")],
    "social": [("Mastodon", "AGPL-3.0-only", "https://github.com/mastodon/mastodon")],
    "forum": [("Discourse", "GPL-2.0-or-later", "https://github.com/discourse/discourse")],
    "reference": [("Kiwix", "GPL-3.0-or-later", "https://github.com/kiwix/kiwix-tools")],
}
SUBURBS = [
    "Brunswick",
    "Brunswick East",
    "Brunswick West",
    "Coburg",
    "Coburg North",
    "Pascoe Vale",
    "Pascoe Vale South",
    "Oak Park",
    "Glenroy",
    "Hadfield",
    "Fawkner",
    "Gowanbrae",
]


def grow_region(*, partners: int = 50, services: int = 1000, seed: int = 15) -> dict:
    """Add partners, servers and services until the region has ``partners`` and ``services``.

    Needs Django set up and the demo loaded (its region, kinds and first partners).
    """
    from django.db import transaction

    from solhost.partners.listing_cache import renew_stamp
    from solhost.partners.models import Organisation, Server, Service, ServiceKind

    rng = random.Random(seed)
    kinds = {kind.slug: kind for kind in ServiceKind.objects.all()}
    with transaction.atomic():
        have = Organisation.objects.filter(kind="partner").count()
        new = Organisation.objects.bulk_create(
            Organisation(
                name=f"{suburb} Hosting Co-op {number}",
                slug=f"scale-partner-{number}",
                legal_form="cooperative",
                summary=f"A worker co-op in {suburb} running everyday services for neighbours.",
                locality=suburb,
            )
            for number in range(have + 1, partners + 1)
            for suburb in [rng.choice(SUBURBS)]
        )
        for organisation in Organisation.objects.filter(pk__in=[o.pk for o in new]):
            Server.objects.create(
                organisation=organisation,
                slug=f"{organisation.slug}-1",
                name=f"{organisation.locality} rack",
                # Inside the demo's boundary, around Brunswick and Coburg.
                latitude=round(rng.uniform(-37.765, -37.735), 5),
                longitude=round(rng.uniform(144.945, 144.975), 5),
                locality=organisation.locality,
                hosting_company="self-hosted",
                operation_started=datetime.date(2025, 1, 1),
            )
        owners = list(
            Organisation.objects.filter(kind="partner").prefetch_related("servers").order_by("pk")
        )
        have = Service.objects.count()
        made = Service.objects.bulk_create(
            Service(
                organisation=owner,
                slug=f"scale-service-{number}",
                name=f"{owner.locality or 'Local'} {kind.name} {number}",
                kind=kind,
                summary=f"{kind.description or kind.name} Run by {owner.name}.",
                software=software,
                licence=licence,
                source_url=source,
                url=f"https://service-{number}.example.org",
                lores_url=f"http://service-{number}.mesh" if kind.lores_covered else "",
            )
            for number in range(have + 1, services + 1)
            for owner in [owners[number % len(owners)]]
            for kind in [kinds[rng.choice(sorted(SOFTWARE.keys() & kinds.keys()))]]
            for software, licence, source in [rng.choice(SOFTWARE[kind.slug])]
        )
        links = Service.servers.through
        first_server = {o.pk: o.servers.all()[0] for o in owners if o.servers.all()}
        links.objects.bulk_create(
            links(service_id=s.pk, server_id=first_server[s.organisation_id].pk)
            for s in made
            if s.organisation_id in first_server
        )
        # bulk_create sends no signals: what the public pages cached is stale now.
        renew_stamp()
    busy = owners[-1]
    return {
        "partners": Organisation.objects.filter(kind="partner").count(),
        "services": Service.objects.count(),
        "servers": Server.objects.count(),
        "busy_partner": busy.slug,
        "busy_partner_services": busy.services.count(),
        "a_service": busy.services.order_by("pk").values_list("slug", flat=True)[0],
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--services", type=int, default=1000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    result = grow_region(partners=args.partners, services=args.services)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
