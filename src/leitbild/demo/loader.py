"""The whole demo data set, app by app, in dependency order.

Real data: Münster's 2014 and 2019 editions, the institutions of 2019, the 2023–2025
agenda. Synthetic, and marked so: poll ballots and example contributions.
"""

from django.db import transaction

from leitbild.actors.demo import demo_load as actors_load
from leitbild.concept.demo import demo_load as concept_load
from leitbild.implementation.demo import demo_load as implementation_load
from leitbild.monitoring.demo import demo_load as monitoring_load
from leitbild.participation.demo import demo_load as participation_load
from leitbild.publishing.demo import demo_load as publishing_load
from leitbild.workspace.roles import roles_setup


@transaction.atomic
def demo_load() -> dict:
    results = concept_load()
    edition_2019 = results[-1].edition
    organisations = actors_load(edition=edition_2019)
    process = participation_load(base=edition_2019)
    observations = monitoring_load(edition=edition_2019)
    measures = implementation_load(edition=edition_2019)
    publishing_load(process=process)
    # The role groups (coordinators), so that a demo database has them like a real one.
    roles_setup()
    return {
        "editions": results,
        "organisations": organisations,
        "process": process,
        "measures": measures,
        "observations": observations,
    }


def demo_present() -> bool:
    from leitbild.participation.models import Process

    return Process.objects.exists()
