from django.core.management.base import BaseCommand, CommandError

from solhost.demo.loader import DemoRefused, DemoSummary, load_demo


def print_logins(write, summary: DemoSummary) -> None:
    write(f"Demo logins (password for all: {summary.password}):")
    width = max((len(login.email) for login in summary.logins), default=0)
    for login in summary.logins:
        write(f"  {login.email.ljust(width)}  {login.name}, {login.role}")
    if summary.skipped:
        write("Left as they were (the database is not the demo's):")
        for reason in summary.skipped:
            write(f"  {reason}")


class Command(BaseCommand):
    help = (
        "Create or refresh the demo region (safe to run again: nothing is added twice). "
        "Refuses a database holding records the demo did not make, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Load onto a database that is not the demo's: add only what is missing, "
                "leave every existing record, account and password as it is."
            ),
        )

    def handle(self, *args, force, **options):
        try:
            summary = load_demo(force=force)
        except DemoRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo region ready: {summary.organisations} organisations, {summary.servers} servers, "
                f"{summary.services} services, {summary.people} people."
            )
        )
        print_logins(self.stdout.write, summary)
