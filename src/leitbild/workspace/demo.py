"""Demo data: one login per role, so that each can be tried out.

The passwords are SYNTHETIC and printed by ``load-demo`` and in the README: these
accounts are for a demo on one's own machine, never for a site others can reach.
The administrator login (``staff``, a superuser) stays with ``load-demo``, which
gives it a random password unless ``DEMO_PASSWORD`` is set.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from leitbild.actors.models import Organisation, OrganisationMember
from leitbild.participation.models import Process

from .roles import COORDINATORS, roles_setup

KI = "Kommunales Integrationszentrum Münster"
IR = "Integrationsrat der Stadt Münster"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    where: str  # what to try first


DEMO_LOGINS = (
    DemoLogin("koordination", "demo-koordination", "coordinator", "/arbeitsbereich/"),
    DemoLogin(
        "moderation",
        "demo-moderation",
        "moderator of the demo process",
        "/beteiligung/fortschreibung-2023-2025/",
    ),
    DemoLogin("vertretung", "demo-vertretung", f"representative of {IR}", "/arbeitsbereich/"),
    DemoLogin("bericht", "demo-bericht", f"department reporter of {KI}", "/arbeitsbereich/"),
)


# The demo logins that act for an organisation, not for the city.
MEMBERS = ("vertretung", "bericht")


@transaction.atomic
def demo_load(*, process: Process) -> list[DemoLogin]:
    """Create (or reset) the demo logins of every role but the administrator."""
    roles_setup()
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[KI, IR])}
    users = {}
    for login in DEMO_LOGINS:
        user, _created = get_user_model().objects.get_or_create(username=login.username)
        # Organisation members sign in at /konto/anmelden/ and need no staff account; the
        # others work in the admin too. is_staff alone grants nothing — the role does.
        user.is_staff = login.username not in MEMBERS
        user.is_superuser = False
        user.set_password(login.password)
        user.save()
        users[login.username] = user
    users["koordination"].groups.add(Group.objects.get(name=COORDINATORS))
    process.staff.add(users["moderation"])
    for username, name, role in (
        ("vertretung", IR, OrganisationMember.Role.REPRESENTATIVE),
        ("bericht", KI, OrganisationMember.Role.REPORTER),
    ):
        if name in organisations:
            OrganisationMember.objects.get_or_create(
                organisation=organisations[name], user=users[username], role=role
            )
    return list(DEMO_LOGINS)
