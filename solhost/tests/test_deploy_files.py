"""The deployment files say what solhost actually does (docs/deploy.md, deploy/).

- `solhost check --deploy` is clean with the settings deploy/solhost.env.example gives;
- the env example, the systemd units and the Co-op Cloud recipe name only settings that
  solhost/settings.py reads, and the env example names every one of them;
- the units pass `systemd-analyze verify` and keep their hardening;
- the recipe's compose.yml has its services, Traefik and Co-op Cloud labels and secrets,
  and its entry point turns Docker secrets into settings;
- Caddy adapts the shipped Caddyfile.
"""

import ast
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
ENV_EXAMPLE = DEPLOY / "solhost.env.example"
UNITS = {
    name: DEPLOY / "systemd" / name for name in ("solhost-web.service", "solhost-worker.service")
}
CADDY_DROP_IN = DEPLOY / "systemd" / "caddy.service.d" / "solhost.conf"
RECIPE = DEPLOY / "coop-cloud"
SOLHOST = str(Path(sys.executable).with_name("solhost"))
SETTING_NAME = re.compile(r"^#?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def settings_read() -> set[str]:
    """The environment variables solhost/settings.py reads, found in its syntax tree."""
    tree = ast.parse((REPO / "solhost" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = ast.unparse(node.func)
            if function in {"os.environ.get", "_env_bool"} and isinstance(
                node.args[0], ast.Constant
            ):
                names.add(node.args[0].value)
            # dj-database-url reads DATABASE_URL unless told another name.
            if function == "dj_database_url.config" and not any(
                keyword.arg == "env" for keyword in node.keywords
            ):
                names.add("DATABASE_URL")
        elif isinstance(node, ast.Compare) and ast.unparse(node.comparators[0]) == "os.environ":
            names.add(node.left.value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(node.slice.value)
    return names


def env_file(path: Path) -> dict[str, str]:
    """The assignments systemd would read from an EnvironmentFile (commented ones left out)."""
    values = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[name.strip()] = value
    return values


def unit_file(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit's sections, each a list of (key, value): keys may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        key, _, value = line.partition("=")
        current.append((key, value))
    return sections


def test_check_deploy_is_clean_with_the_example_settings(tmp_path):
    settings = env_file(ENV_EXAMPLE)
    settings |= {
        "SOLHOST_SECRET_KEY": secrets.token_urlsafe(50),
        "SOLHOST_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'solhost.sqlite3'}",
    }
    done = subprocess.run(
        [SOLHOST, "check", "--deploy", "--fail-level", "WARNING"],
        env={"PATH": os.environ["PATH"], **settings},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_the_env_example_names_exactly_the_settings_solhost_reads():
    named = set(SETTING_NAME.findall(ENV_EXAMPLE.read_text()))
    assert named == settings_read()
    # What a production region must set, not left at a default.
    assert {
        "SOLHOST_SECRET_KEY",
        "SOLHOST_BASE_URL",
        "SOLHOST_BEHIND_PROXY",
        "SOLHOST_TRUSTED_PROXIES",
        "SOLHOST_VAR_DIR",
        "DATABASE_URL",
        "REDIS_URL",
        "SOLHOST_EMAIL_HOST",
    } <= env_file(ENV_EXAMPLE).keys()
    assert env_file(ENV_EXAMPLE)["SOLHOST_BASE_URL"].startswith("https://")


def test_the_units_run_solhost_with_the_env_file_and_hardening():
    read = settings_read()
    env_path = "/etc/solhost/solhost.env"
    var_dir = env_file(ENV_EXAMPLE)["SOLHOST_VAR_DIR"]
    commands = {"solhost-web.service": " serve ", "solhost-worker.service": " run_huey"}
    for name, path in UNITS.items():
        unit = unit_file(path)
        service = dict(unit["Service"])
        assert service["User"] == "solhost"
        assert service["EnvironmentFile"] == env_path
        assert service["Restart"] == "on-failure"
        assert service["ExecStart"].startswith(f"{service['WorkingDirectory']}/.venv/bin/solhost")
        assert commands[name] in f"{service['ExecStart']} "
        assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
        assert f"/var/lib/{service['StateDirectory']}" == var_dir == service["ReadWritePaths"]
        for setting in ["NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices"]:
            assert service[setting] == "yes", (name, setting)
        assert service["ProtectSystem"] == "strict"
        after = dict(unit["Unit"])["After"].split()
        assert {"network-online.target", "postgresql.service", "redis-server.service"} <= set(after)
        # A setting given in the unit itself must be one solhost reads.
        for key, value in unit["Service"]:
            if key == "Environment":
                assert value.partition("=")[0] in read
    # The web unit serves where Caddy sends requests by default.
    assert (
        "--host 127.0.0.1 --port 8000"
        in dict(unit_file(UNITS["solhost-web.service"])["Service"])["ExecStart"]
    )


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_units_pass_systemd_analyze(tmp_path):
    """`verify` and an offline `security` review, in a root where the units' paths exist."""
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for path in UNITS.values():
        shutil.copy(path, root / "etc/systemd/system")
    program = root / "opt/solhost/.venv/bin/solhost"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    (root / "bin").mkdir()
    shutil.copy("/bin/kill", root / "bin")
    units = [f"/etc/systemd/system/{name}" for name in UNITS]
    verify = subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", *units],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # verify reports unknown keys and bad values on stderr but still exits 0.
    assert (verify.returncode, verify.stdout, verify.stderr) == (0, "", "")
    for unit in units:
        # Exposure on systemd's 0–10 scale, times ten; the units score 1.6 ("OK").
        security = subprocess.run(
            [
                "systemd-analyze",
                "security",
                "--offline=true",
                "--threshold=20",
                f"--root={root}",
                unit,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert security.returncode == 0, security.stdout[-2000:]


def test_caddy_gets_what_the_caddyfile_asks_for_and_adapts_it():
    caddyfile = (DEPLOY / "caddy" / "Caddyfile").read_text() + (
        DEPLOY / "caddy" / "solhost.caddy"
    ).read_text()
    required = set(re.findall(r"\{\$([A-Z_]+)\}", caddyfile))
    drop_in = dict(
        value.partition("=")[::2]
        for key, value in unit_file(CADDY_DROP_IN)["Service"]
        if key == "Environment"
    )
    assert drop_in.keys() == required
    done = subprocess.run(
        ["caddy", "adapt", "--config", str(DEPLOY / "caddy" / "Caddyfile")],
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), **drop_in},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert drop_in["SOLHOST_DOMAIN"] in done.stdout


def recipe() -> dict:
    return yaml.safe_load((RECIPE / "compose.yml").read_text())


def test_the_recipe_has_its_services_labels_and_secrets():
    compose = recipe()
    assert set(compose["services"]) == {"app", "worker", "db", "cache"}
    app, worker = compose["services"]["app"], compose["services"]["worker"]
    assert app["image"] == worker["image"]
    assert compose["services"]["db"]["image"] == "postgres:15"
    assert compose["services"]["cache"]["image"] == "redis:7"
    assert "solhost serve --host 0.0.0.0 --port 8000" in app["command"][-1]
    assert "solhost migrate" in app["command"][-1]
    assert worker["command"] == ["solhost", "run_huey"]
    labels = dict(label.split("=", 1) for label in app["deploy"]["labels"])
    assert labels["traefik.enable"] == "true"
    assert labels["traefik.http.services.${STACK_NAME}.loadbalancer.server.port"] == "8000"
    assert labels["traefik.http.routers.${STACK_NAME}.rule"] == "Host(`${DOMAIN}`)"
    assert labels["traefik.http.routers.${STACK_NAME}.entrypoints"] == "web-secure"
    assert re.fullmatch(r"\d+\.\d+\.\d+\+\d+\.\d+\.\d+", labels["coop-cloud.${STACK_NAME}.version"])
    # Only the app is reachable from Traefik; the rest stay on the stack's own network.
    assert compose["networks"]["proxy"] == {"external": True}
    for name, service in compose["services"].items():
        assert ("proxy" in service["networks"]) == (name == "app")
    for name, secret in compose["secrets"].items():
        assert secret["external"] is True
        assert secret["name"].startswith(f"${{STACK_NAME}}_{name}_${{SECRET_")


def test_the_recipe_passes_only_settings_solhost_reads_and_its_sample_sets_its_variables():
    compose = recipe()
    read = settings_read()
    entry_point_files = {
        "SOLHOST_SECRET_KEY_FILE",
        "SOLHOST_EMAIL_PASSWORD_FILE",
        "DATABASE_PASSWORD_FILE",
    }
    for service in ("app", "worker"):
        for entry in compose["services"][service]["environment"]:
            name = entry.partition("=")[0]
            assert name in read or name in entry_point_files, name
    text = (RECIPE / "compose.yml").read_text()
    used = {name for name, default in re.findall(r"\$\{([A-Z_]+)(:-[^}]*)?\}", text) if not default}
    sample = set(SETTING_NAME.findall((RECIPE / ".env.sample").read_text()))
    # abra sets STACK_NAME itself; everything else without a default comes from the sample.
    assert used - {"STACK_NAME"} <= sample
    passed_through = {
        entry for entry in compose["services"]["app"]["environment"] if "=" not in entry
    }
    assert passed_through <= sample


@pytest.mark.skipif(not shutil.which("docker"), reason="the docker client is not installed")
def test_docker_reads_the_recipe_as_a_stack(tmp_path):
    """`docker stack config` checks the file against the compose schema, with no daemon."""
    sample = env_file(RECIPE / ".env.sample")
    variables = {name: value.split(" #")[0] for name, value in sample.items()}
    done = subprocess.run(
        ["docker", "stack", "config", "-c", str(RECIPE / "compose.yml")],
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "STACK_NAME": "solhost_example_com",
            **variables,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    stack = yaml.safe_load(done.stdout)
    assert stack["services"]["app"]["image"] == "registry.example.org/solhost:0.1.0"
    assert stack["secrets"]["secret_key"]["name"] == "solhost_example_com_secret_key_v1"


def test_the_entry_point_puts_docker_secrets_into_the_settings(tmp_path):
    (tmp_path / "secret_key").write_text("k" * 50 + "\n")
    (tmp_path / "db_password").write_text("p@ss:w/rd\n")
    done = subprocess.run(
        [
            sys.executable,
            str(RECIPE / "entrypoint.py"),
            sys.executable,
            "-c",
            "import json, os; print(json.dumps(dict(os.environ)))",
        ],
        env={
            "SOLHOST_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
            "DATABASE_URL": "postgres://solhost@solhost_example_com_db:5432/solhost",
            "DATABASE_PASSWORD_FILE": str(tmp_path / "db_password"),
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    env = json.loads(done.stdout)
    assert env["SOLHOST_SECRET_KEY"] == "k" * 50
    assert (
        env["DATABASE_URL"]
        == "postgres://solhost:p%40ss%3Aw%2Frd@solhost_example_com_db:5432/solhost"
    )
    assert not {"SOLHOST_SECRET_KEY_FILE", "DATABASE_PASSWORD_FILE"} & env.keys()
    assert dj_database_url.parse(env["DATABASE_URL"])["PASSWORD"] == "p@ss:w/rd"
