import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from leitbild.demo.loader import demo_load
from leitbild.workspace.demo import demo_load as demo_logins_load


class Command(BaseCommand):
    help = (
        "Load the demo data (Münster's 2014 and 2019 editions, the 2019 institutions, the "
        "2023–2025 revision process) and create a staff login and one login per role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-user", action="store_true", help="do not create logins")

    def handle(self, *args, **options):
        loaded = demo_load()
        for result in loaded["editions"]:
            e = result.edition
            self.stdout.write(f"{e.city}/{e.year}: {result.goals} goals, {result.fields} fields")
        process = loaded["process"]
        self.stdout.write(
            f"{loaded['organisations']} organisations; process {process.slug!r}: "
            f"{process.phases.count()} phases, {process.events.count()} events, "
            f"draft edition {process.draft_edition.slug}"
        )
        if options["no_user"]:
            return
        username = os.environ.get("DEMO_USER", "staff")
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        process.staff.add(user)
        self.stdout.write(self.style.SUCCESS(f"Staff login: {username} / {password}  (at /admin/)"))
        # One login per role, with synthetic passwords (README): for a demo only.
        self.stdout.write(
            "Demo logins per role (sign in at /konto/anmelden/; staff also at /admin/):"
        )
        for login in demo_logins_load(process=process):
            self.stdout.write(
                f"  {login.username} / {login.password}  {login.role}; try {login.where}"
            )
