from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_2019 = SEEDS / "003_d2039abcd4ad8aa1.txt"
SEED_2014 = SEEDS / "001_1397567dae0fa67a.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo data once per run; each test's changes are rolled back."""
    from leitbild.demo.loader import demo_load

    with django_db_blocker.unblock():
        demo_load()


@pytest.fixture
def demo(db):
    """Münster's 2014 and 2019 editions, imported the way ``make demo`` does."""
    from leitbild.concept.models import Edition

    return {e.year: e for e in Edition.objects.filter(city__name="Münster")}


@pytest.fixture
def staff(db, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_goal"))
    return user


@pytest.fixture
def process(db):
    """The demo's 2023–2025 revision of the 2019 edition, with its draft 2025."""
    from leitbild.participation.models import Process

    return Process.objects.select_related("base_edition", "draft_edition").get(
        slug="fortschreibung-2023-2025"
    )


@pytest.fixture
def make_event(process):
    """Create a public event in the future (the demo's agenda lies in the past)."""
    import datetime as dt

    from django.utils import timezone

    from leitbild.participation.services import event_create

    def make(**values):
        start = timezone.now() + dt.timedelta(days=30)
        defaults = {
            "title": "Testworkshop",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=3),
            "place_name": "Stadthaus 1",
        }
        defaults.update(values)
        return event_create(process=process, **defaults)

    return make


@pytest.fixture
def process_staff(db, django_user_model, process):
    """A staff member of the demo process (sees its personal data)."""
    user = django_user_model.objects.create_user(
        "moderator", password="pw-moderator-123", is_staff=True
    )
    process.staff.add(user)
    return user


@pytest.fixture
def other_staff(db, django_user_model):
    """Staff of the city, but not of the demo process."""
    return django_user_model.objects.create_user(
        "other-office", password="pw-other-123", is_staff=True
    )


@pytest.fixture
def cluster():
    """A throwaway PostgreSQL cluster (``tests/postgres_cluster.py``), removed afterwards."""
    from .postgres_cluster import Cluster, pg_bindir

    bindir = pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not installed")
    pg = Cluster(bindir)
    try:
        pg.start()
        yield pg
    finally:
        pg.remove()
