from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database, load the demo region, print the demo logins and serve the site."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and stop, without serving."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo onto a database that is not the demo's (see load-demo --help).",
        )

    def handle(self, *args, host, port, no_serve, force, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load-demo", force=force, stdout=self.stdout)
        if not no_serve:
            call_command("serve", host=host, port=port, stdout=self.stdout)
