from django.core.management import call_command
from django.core.management.base import BaseCommand
from waitress import serve


class Command(BaseCommand):
    help = "Serve the site with a production WSGI server (static files included)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        # Hashed, compressed copies of the assets, so browsers may cache them for a year.
        call_command("collectstatic", interactive=False, verbosity=0)
        # Imported after collectstatic: WhiteNoise indexes the static folder when the app is built.
        from solhost.wsgi import application

        self.stdout.write(f"Serving the region at http://{host}:{port}/ (Ctrl-C to stop)")
        serve(application, host=host, port=port, threads=threads, ident="solhost")
