from django.core.management.base import BaseCommand

from leitbild.workspace.roles import roles_setup


class Command(BaseCommand):
    help = (
        "Create or update the role groups (coordinators) so that each holds exactly the "
        "permissions declared in leitbild/workspace/roles.py; run after every upgrade."
    )

    def handle(self, *args, **options):
        for change in roles_setup():
            state = "created" if change.created else "updated"
            self.stdout.write(
                f"Group “{change.name}” {state}: {change.total} permissions "
                f"({len(change.added)} added, {len(change.removed)} removed)"
            )
            for name in change.added if not change.created else ():
                self.stdout.write(f"  + {name}")
            for name in change.removed:
                self.stdout.write(f"  - {name}")
