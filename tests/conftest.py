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
    from leitbild.concept.demo import demo_load

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
