from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from leitbild.participation.models import ApiToken
from leitbild.participation.services import api_token_create


class Command(BaseCommand):
    help = (
        "Make an API token for a staff user and print it (only the token, on standard "
        "output). Send it as 'Authorization: Bearer <token>'; it is shown only this once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="an active staff user")
        parser.add_argument(
            "--revoke",
            action="store_true",
            help="delete all the user's tokens instead of making one",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {options['username']!r}.") from exc
        if options["revoke"]:
            count, _by_model = ApiToken.objects.filter(user=user).delete()
            self.stderr.write(f"Deleted {count} token(s) of {user.get_username()!r}.")
            return
        if not (user.is_active and user.is_staff):
            raise CommandError(
                f"{user.get_username()!r} is not an active staff user; "
                "API tokens are for staff only (set 'Staff status' in the admin)."
            )
        try:
            token = api_token_create(user=user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(token)
        self.stderr.write(
            "Keep it secret: it is stored only as a hash and cannot be shown again. "
            "It works for the processes the user is staff of."
        )
