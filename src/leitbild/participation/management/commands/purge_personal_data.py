from django.core.management.base import BaseCommand, CommandError

from leitbild.participation.models import Process
from leitbild.participation.services import process_purge_personal_data


class Command(BaseCommand):
    help = (
        "Erase participants' names, e-mail addresses and needs of a finished process "
        "(statistics stay, as anonymous counts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("process", help="the process's slug, e.g. fortschreibung-2023-2025")
        parser.add_argument(
            "--force", action="store_true", help="also for a process that has not ended yet"
        )

    def handle(self, *args, process, force, **options):
        try:
            instance = Process.objects.get(slug=process)
        except Process.DoesNotExist as error:
            known = ", ".join(Process.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No process {process!r}. Known processes: {known}.") from error
        from django.utils import timezone

        if not force and (instance.ends_on is None or instance.ends_on >= timezone.localdate()):
            raise CommandError(
                f"Process {process!r} has not ended (ends on {instance.ends_on}); "
                "use --force to erase its personal data anyway."
            )
        counts = process_purge_personal_data(process=instance)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased personal data of {counts['registrations']} registrations, "
                f"{counts['contributions']} contributions and {counts['ballots']} ballots."
            )
        )
