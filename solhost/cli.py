"""The ``solhost`` command: every management command, with the settings already chosen.

``solhost demo`` sets up and serves the demo region; ``solhost serve`` serves the site;
``solhost help`` lists everything else (migrate, createsuperuser, load-demo, …).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solhost.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["solhost", *args])


if __name__ == "__main__":
    main()
