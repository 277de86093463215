"""The container's entry point: Docker secrets into the environment, then the command.

Swarm mounts each secret as a file under /run/secrets, while solhost reads its settings
from environment variables. For each ``NAME_FILE`` below that is set, ``NAME`` gets the
file's content; ``DATABASE_PASSWORD_FILE`` puts the database password into
``DATABASE_URL``, quoted so that any character is safe in a URL.
"""

import os
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

SETTINGS_FROM_FILES = ("SOLHOST_SECRET_KEY", "SOLHOST_EMAIL_PASSWORD")


def read_secret(path: str) -> str:
    return Path(path).read_text().rstrip("\r\n")


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    user, _, host = parts.netloc.rpartition("@")
    user = user.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def main(command: list[str]) -> None:
    env = dict(os.environ)
    for name in SETTINGS_FROM_FILES:
        if path := env.pop(f"{name}_FILE", None):
            env[name] = read_secret(path)
    if path := env.pop("DATABASE_PASSWORD_FILE", None):
        env["DATABASE_URL"] = with_password(env["DATABASE_URL"], read_secret(path))
    os.execvpe(command[0], command, env)  # noqa: S606 (an entry point runs the command it is given)


if __name__ == "__main__":
    main(sys.argv[1:])
