from django.core.management.base import BaseCommand

from solhost.demo.loader import DEMO_PASSWORD, LOGINS, load_demo


def print_logins(write) -> None:
    write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    width = max(len(login.email) for login in LOGINS)
    for login in LOGINS:
        write(f"  {login.email.ljust(width)}  {login.name}, {login.role}")


class Command(BaseCommand):
    help = "Create or refresh the demo region (safe to run again: nothing is added twice)."

    def handle(self, *args, **options):
        summary = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo region ready: {summary.organisations} organisations, {summary.servers} servers, "
                f"{summary.services} services, {summary.people} people."
            )
        )
        print_logins(self.stdout.write)
