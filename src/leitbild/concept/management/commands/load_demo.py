import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from leitbild.concept.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo data (Münster's 2014 and 2019 editions) and create a staff login."

    def add_arguments(self, parser):
        parser.add_argument("--no-user", action="store_true", help="do not create a login")

    def handle(self, *args, **options):
        for result in demo_load():
            e = result.edition
            self.stdout.write(f"{e.city}/{e.year}: {result.goals} goals, {result.fields} fields")
        if options["no_user"]:
            return
        username = os.environ.get("DEMO_USER", "staff")
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Staff login: {username} / {password}  (at /admin/)"))
