"""Sign-in throughput: authorization code to tokens, solhost against `oidc-provider` (Node.js).

Usage: python benchmarks/oidc_token.py [--round-trips N] [--hashes N]

Both providers run on loopback over real HTTP, in the same run, for the same flow: a
resident already signed in who already agreed asks for a code (GET authorize with S256
PKCE, 302 back with the code), and the service exchanges it (POST token with
client_secret_basic and the verifier) for an access token, an RS256 ID token and a
refresh token. One client, one request at a time. Password hashing is not in that loop
(it happens once per login, not per service sign-in), so it is timed on its own.

solhost is served as in production, by ``solhost serve`` (gunicorn, a worker per core with
four threads each), from a throw-away database: PostgreSQL when ``DATABASE_URL`` names one
(a database of its own is created beside it and dropped at the end), SQLite otherwise.
`oidc-provider` (and `pg`, its PostgreSQL client) comes from the committed lock in
oidc_provider_node/ (``make bench`` and ``make test`` install it with ``npm ci``, and a run
without it does so itself); without Node.js or npm, the figures say so and the comparison
falls back to a bare Django view over the same server.

oidc-provider runs as its quick start does, with its codes and tokens in memory (the
comparison the sign-in speed goal names). Its own docs call that store development-only:
it loses everything on restart and can't be shared between processes. So on PostgreSQL it
also runs with them in a PostgreSQL database of its own on the same server, as it would be
deployed (oidc_provider_node/postgres_adapter.mjs).

Prints JSON: round trips per second, p50/p95 latency in ms and the median of each step
(authorize, token) for each provider; the same round trips handed to Django in the
benchmark's own process (solhost's own work, with no HTTP and no server: what serving it
adds is the difference); two floors measured in the same run: solhost's server answering
a request that needs no database, and a Node.js server answering "ok" (this client's own
cost per request); Argon2 hashing time; the ratios of solhost's throughput, served and in
process, to oidc-provider's; and the load average.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import free_port, throw_away_database

from solhost.tests.migrated import drop_postgresql

ROOT = Path(__file__).resolve().parent.parent
NODE_PROVIDER = Path(__file__).resolve().parent / "oidc_provider_node"
REDIRECT = "http://127.0.0.1:9/callback"
SCOPE = "openid profile email"
# The resident who signs in to the service, already agreed (solhost.test's rita).
RESIDENT = "rita@example.org"
# Round trips made before the counted ones, to warm caches and connections.
WARM_UP = 5
# The least an HTTP request from this client can cost: a server that does nothing.
NODE_FLOOR_SERVER = (
    'require("node:http").createServer((request, response) => response.end("ok"))'
    '.listen(Number(process.argv[1]), "127.0.0.1", () => console.log("ready"))'
)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {
        "round_trips": len(timings),
        "per_second": round(len(timings) / sum(timings), 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
    }


def steps_summary(steps: list[tuple[float, float]]) -> dict:
    """The round trips' figures, and the median of each step: where the time goes."""
    return {
        **summary([authorize + token for authorize, token in steps]),
        "authorize_p50_ms": round(statistics.median(a for a, _ in steps) * 1000, 2),
        "token_p50_ms": round(statistics.median(t for _, t in steps) * 1000, 2),
    }


def code_from(session: requests.Session, url: str, params: dict) -> str:
    """Follow the provider's own redirects until it sends the browser back with a code."""
    response = session.get(url, params=params, allow_redirects=False)
    for _ in range(10):
        location = response.headers.get("Location", "")
        if location.startswith(REDIRECT):
            query = parse_qs(urlsplit(location).query)
            assert "code" in query, location
            return query["code"][0]
        assert response.status_code in (302, 303), (response.status_code, response.text[:300])
        response = session.get(
            requests.compat.urljoin(response.url, location), allow_redirects=False
        )
    raise AssertionError("no code after ten redirects")


def authorization_request(client_id: str, index: int, challenge: str) -> dict:
    """The parameters of the ``index``th round trip's authorization request."""
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": f"s{index}",
        "nonce": f"n{index}",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def token_request(code: str, verifier: str) -> dict:
    """The form of the token request that redeems ``code``."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }


def round_trips(
    base: str, client_id: str, secret: str, session: requests.Session, count: int
) -> list[tuple[float, float]]:
    """Seconds spent on each round trip's authorization and token request."""
    config = session.get(f"{base}/.well-known/openid-configuration").json()
    timings = []
    for index in range(WARM_UP + count):
        verifier, challenge = pkce()
        params = authorization_request(client_id, index, challenge)
        started = time.perf_counter()
        code = code_from(session, config["authorization_endpoint"], params)
        authorized = time.perf_counter()
        tokens = requests.post(
            config["token_endpoint"],
            data=token_request(code, verifier),
            auth=(client_id, secret),
            timeout=10,
        )
        finished = time.perf_counter()
        assert tokens.status_code == 200, tokens.text[:300]
        assert "id_token" in tokens.json()
        if index >= WARM_UP:
            timings.append((authorized - started, finished - authorized))
    return timings


def in_process_round_trips(client_id: str, secret: str, count: int) -> dict:
    """The same round trips handed to Django in this process by its test client: what
    solhost's own code costs, with no HTTP, no server and no client around it."""
    from django.test import Client

    from solhost.identity.models import User

    browser, service = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    browser.force_login(User.objects.get(email=RESIDENT))
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    timings = []
    for index in range(WARM_UP + count):
        verifier, challenge = pkce()
        params = authorization_request(client_id, index, challenge)
        started = time.perf_counter()
        answer = browser.get("/oidc/authorize/", params)
        authorized = time.perf_counter()
        assert answer.status_code == 302, answer.content[:300]
        code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
        tokens = service.post(
            "/oidc/token/", token_request(code, verifier), HTTP_AUTHORIZATION=basic
        )
        finished = time.perf_counter()
        assert tokens.status_code == 200, tokens.content[:300]
        if index >= WARM_UP:
            timings.append((authorized - started, finished - authorized))
    return {
        "what": "the same round trips through Django's test client in the benchmark's "
        "process: solhost's own work, without HTTP or a server",
        **steps_summary(timings),
    }


def serve_solhost() -> tuple[str, subprocess.Popen]:
    """``solhost serve`` on a free port, once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "solhost"), "serve", "--port", str(port)],
        env={**os.environ, "SOLHOST_LOG_LEVEL": "ERROR"},
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{base}/.well-known/jwks.json", timeout=5).ok:
                return base, server
        except requests.ConnectionError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("solhost serve did not start")
        time.sleep(0.3)


def prepare_solhost() -> tuple[str, str, requests.Session]:
    from django.core.management import call_command

    from solhost.identity import actions
    from solhost.test import PASSWORD, make_world

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    world = make_world()
    registered = actions.register_client(
        service=world.mcc_service, redirect_uris=[REDIRECT], public=False, actor=None
    )
    actions.approve_client(client=registered.client, steward=None)
    actions.give_consent(user=world.rita, client=registered.client, scopes=SCOPE.split())
    return registered.client.client_id, registered.secret, PASSWORD


def log_in(base: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/")
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "login": RESIDENT,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:300]
    return session


def hashing(count: int) -> dict:
    from django.contrib.auth.hashers import check_password, make_password

    from solhost.test import PASSWORD

    encoded = make_password(PASSWORD)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        assert check_password(PASSWORD, encoded)
        timings.append(time.perf_counter() - started)
    return {
        "hasher": encoded.split("$", 1)[0],
        "checks": count,
        "median_ms": round(statistics.median(timings) * 1000, 2),
    }


def install_oidc_provider() -> tuple[Path | None, str]:
    """oidc_provider_node/ with its packages installed from the committed lock; None and
    why when that cannot be done."""
    if not shutil.which("node"):
        return None, "node or npm is not installed"
    if (NODE_PROVIDER / "node_modules" / "oidc-provider").is_dir():
        return NODE_PROVIDER, "already installed"
    if not shutil.which("npm"):
        return None, "node or npm is not installed"
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(NODE_PROVIDER)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        return None, f"npm ci failed: {result.stderr.strip()[-300:]}"
    return NODE_PROVIDER, "installed now"


def node_round_trips(folder: Path, count: int, *, store_url: str = "") -> dict:
    """oidc-provider's figures; its codes and tokens in memory, or in the PostgreSQL
    database ``store_url`` names."""
    port = free_port()
    client_id, secret = "bench-client", secrets.token_urlsafe(32)
    process = subprocess.Popen(
        ["node", str(folder / "server.mjs"), str(port), client_id, secret, REDIRECT]
        + ([store_url] if store_url else []),
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        version = json.loads(
            (folder / "node_modules" / "oidc-provider" / "package.json").read_text()
        )["version"]
        session = requests.Session()
        timings = round_trips(f"http://127.0.0.1:{port}", client_id, secret, session, count)
        return {
            "package": f"oidc-provider {version}",
            "store": "PostgreSQL" if store_url else "memory (its development-only default)",
            "node": subprocess.check_output(["node", "--version"], text=True).strip(),
            **steps_summary(timings),
        }
    finally:
        process.terminate()
        process.wait(timeout=10)


def client_floor(count: int) -> dict:
    """What a request costs when the server does nothing: this client's own share of every
    figure above (Node.js answers "ok" from its event loop)."""
    port = free_port()
    process = subprocess.Popen(
        ["node", "-e", NODE_FLOOR_SERVER, str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        session = requests.Session()
        timings = []
        for index in range(WARM_UP + count):
            started = time.perf_counter()
            assert session.get(f"http://127.0.0.1:{port}/").text == "ok"
            if index >= WARM_UP:
                timings.append(time.perf_counter() - started)
        return {"what": 'GET / answered "ok" by Node.js (no framework)', **summary(timings)}
    finally:
        process.terminate()
        process.wait(timeout=10)


def baseline_round_trips(base: str, count: int) -> dict:
    session = requests.Session()
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        assert session.get(f"{base}/.well-known/jwks.json").status_code == 200
        timings.append(time.perf_counter() - started)
    return {
        "what": "GET /.well-known/jwks.json (no database) over the same server",
        **summary(timings),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round-trips", type=int, default=300)
    parser.add_argument("--hashes", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("SOLHOST_VAR_DIR", tempfile.mkdtemp(prefix="solhost-bench-"))
    os.environ.pop("SOLHOST_BASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    asked_for = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"], database_name = throw_away_database(
        asked_for,
        prefix="solhost_bench_oidc",
        var=Path(os.environ["SOLHOST_VAR_DIR"]),
        migrated=True,
    )
    try:
        return measure(args)
    finally:
        if database_name:
            drop_postgresql(asked_for, database_name)


def node_with_its_store_in_postgresql(folder: Path, count: int) -> dict:
    """oidc-provider keeping its codes and tokens in a throw-away PostgreSQL database beside
    solhost's, on the same server."""
    url, name = throw_away_database(
        os.environ["DATABASE_URL"],
        prefix="solhost_bench_oidc_node",
        var=ROOT / "var",
        migrated=False,
    )
    try:
        return node_round_trips(folder, count, store_url=url)
    finally:
        drop_postgresql(os.environ["DATABASE_URL"], name)


def measure(args) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    client_id, secret, password = prepare_solhost()
    in_process = in_process_round_trips(client_id, secret, args.round_trips)
    connection.close()
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    base, server = serve_solhost()
    try:
        session = log_in(base, password)
        solhost = steps_summary(round_trips(base, client_id, secret, session, args.round_trips))
        result = {
            "benchmark": "oidc_token",
            "flow": "authorize (signed in, consented, S256 PKCE) + token exchange (client_secret_basic)",
            "solhost": {
                "server": f"gunicorn (solhost serve), {len(os.sched_getaffinity(0))} workers "
                f"× 4 threads, {database}",
                **solhost,
            },
            "solhost_in_process": in_process,
            # The same server answering with no database and no session: the floor under
            # each of solhost's two requests.
            "bare_server": baseline_round_trips(base, args.round_trips),
            "password_hashing": hashing(args.hashes),
        }
        folder, how = install_oidc_provider()
        if folder is not None:
            result["client_floor"] = client_floor(args.round_trips)
            node = node_round_trips(folder, args.round_trips)
            result["oidc_provider"] = {"install": how, **node}
            result["ratio_solhost_to_oidc_provider_per_second"] = round(
                solhost["per_second"] / node["per_second"], 3
            )
            # What the ratio would be if serving solhost cost nothing at all.
            result["ratio_solhost_in_process_to_oidc_provider_per_second"] = round(
                in_process["per_second"] / node["per_second"], 3
            )
            if database == "PostgreSQL":
                stored = node_with_its_store_in_postgresql(folder, args.round_trips)
                result["oidc_provider_postgresql"] = stored
                result["ratio_solhost_to_oidc_provider_postgresql_per_second"] = round(
                    solhost["per_second"] / stored["per_second"], 3
                )
        else:
            result["oidc_provider"] = {"install": how}
            result["ratio_solhost_to_baseline_per_second"] = round(
                solhost["per_second"] / result["bare_server"]["per_second"], 3
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["load_average"] = [round(load, 2) for load in os.getloadavg()]
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
