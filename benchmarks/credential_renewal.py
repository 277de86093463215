"""Renewing every account's credentials (``solhost renew-credentials --all``): how long a
region waits after a stolen site before the copied passwords stop working.

Usage: python benchmarks/credential_renewal.py [--accounts 10000]

A throw-away SQLite database holds that many accounts, each with a verified address and
a browser session; a quarter with an authenticator app, and half signed in to a service
that takes back-channel logout tokens (its consent, an access token and a refresh token).
Then every account is renewed as the command renews them, and the JSON printed says:
- ``credentials_end_s``: the first step, in one transaction: every password made
  unusable, every authenticator app and set of recovery codes removed, an audit event
  each. How long copied credentials go on working once the steward runs the command;
- ``sign_out_s`` and ``signed_out_per_second``: the second step, in batches: sessions
  and tokens ended, logout tokens and mail queued, the other sites told;
- ``baseline_s``: making each password unusable and saving it one account at a time, in
  the second step's batches: the way a renewal would end passwords without a first step;
- the ratio of each step to the baseline;
- ``account_journal``: the first step keeps every account in the account journal in one
  write (``write_s``, within ``credentials_end_s``), against a write for each account, as
  any other change is kept (``one_write_each_s``, timed on the same entries).
"""

import argparse
import datetime
import json
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import set_up_django_on_sqlite

SESSION_DAYS = 14


def _accounts(count: int, *, prefix: str, client=None) -> list[int]:
    """``count`` accounts as the region holds them, with what a renewal has to end."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, RefreshToken

    from solhost.identity.models import Consent, SignedInSession, User
    from solhost.identity.oidc import checksum
    from solhost.test import _password_hash

    now = timezone.now()
    password = _password_hash()
    users = User.objects.bulk_create(
        User(username=f"{prefix}{n}", email=f"{prefix}{n}@example.org", password=password)
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    keys = [secrets.token_hex(16) for _ in users]
    expires = now + datetime.timedelta(days=SESSION_DAYS)
    Session.objects.bulk_create(
        Session(session_key=key, session_data="", expire_date=expires) for key in keys
    )
    SignedInSession.objects.bulk_create(
        SignedInSession(user=user, session_key=key, started=now, authenticated_at=now)
        for user, key in zip(users, keys, strict=True)
    )
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
        for user in users[::4]
    )
    if client is not None:
        signed_in = users[::2]
        Consent.objects.bulk_create(
            Consent(user=user, client=client, scopes="openid email", given_at=now)
            for user in signed_in
        )
        access = AccessToken.objects.bulk_create(
            AccessToken(
                user=user,
                application=client,
                token=(token := secrets.token_hex(16)),
                token_checksum=checksum(token),
                expires=now + datetime.timedelta(hours=1),
                scope="openid email",
            )
            for user in signed_in
        )
        RefreshToken.objects.bulk_create(
            RefreshToken(
                user=token.user,
                application=client,
                token=(value := secrets.token_hex(16)),
                token_checksum=checksum(value),
                access_token=token,
            )
            for token in access
        )
    return [user.pk for user in users]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args(argv)
    set_up_django_on_sqlite()
    from django.db import transaction

    from solhost.identity import account_journal, actions, renewals
    from solhost.identity.models import User
    from solhost.test import make_world

    world = make_world()
    registered = actions.register_client(
        service=world.mcc_service,
        redirect_uris=["https://files.mcc.example.org/callback"],
        public=False,
        actor=None,
        backchannel_logout_uri="https://files.mcc.example.org/backchannel-logout",
    )
    actions.approve_client(client=registered.client, steward=None)
    _accounts(args.accounts, prefix="resident", client=registered.client)

    # Jobs (mail, logout tokens) are queued, not run: the renewal's own cost.
    started = time.perf_counter()
    renewal = renewals.start_renewal(why="benchmark")
    ended = time.perf_counter() - started
    journal = account_journal.read(account_journal.journal_path()).entries
    scratch = Path(os.environ["SOLHOST_VAR_DIR"]) / "journal-timing"
    started = time.perf_counter()
    account_journal.append(scratch / "together.jsonl", *journal)
    journal_write = time.perf_counter() - started
    started = time.perf_counter()
    for entry in journal:
        account_journal.append(scratch / "each.jsonl", entry)
    journal_each = time.perf_counter() - started
    started = time.perf_counter()
    while renewal.finished is None:
        renewal = renewals.renew_next_batch(renewal_id=renewal.pk)
    signed_out = time.perf_counter() - started

    baseline_ids = _accounts(args.accounts, prefix="baseline", client=None)
    started = time.perf_counter()
    for first in range(0, len(baseline_ids), renewals.BATCH):
        with transaction.atomic(durable=True):
            for user in User.objects.filter(pk__in=baseline_ids[first : first + renewals.BATCH]):
                user.set_unusable_password()
                user.save(update_fields=["password"])
    baseline = time.perf_counter() - started
    result = {
        "benchmark": "credential_renewal",
        "database": "SQLite",
        # The region's own five besides.
        "accounts": renewal.total,
        "with_a_service": args.accounts // 2 + args.accounts % 2,
        "credentials_end_s": round(ended, 2),
        "sign_out_s": round(signed_out, 2),
        "signed_out_per_second": round(renewal.signed_out / signed_out, 1),
        "sign_out_batch": renewals.BATCH,
        "baseline_s": round(baseline, 2),
        "ratio_credentials_end_to_baseline": round(ended / baseline, 2),
        "ratio_sign_out_to_baseline": round(signed_out / baseline, 1),
        "account_journal": {
            "entries": len(journal),
            "write_s": round(journal_write, 3),
            "one_write_each_s": round(journal_each, 3),
            "ratio_write_to_one_write_each": round(journal_write / journal_each, 3),
        },
        "load_average": [round(figure, 2) for figure in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
