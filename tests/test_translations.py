"""Content translations: the review workflow, the "source changed" marker, pages that
switch language with a visible German fallback, the staff workspace and status page,
and the brochure in another language."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leitbild.concept.models import (
    Chapter,
    Edition,
    FieldOfAction,
    Footnote,
    GlossaryEntry,
    Goal,
    GoalGroup,
)
from leitbild.core.models import Translation, source_digest
from leitbild.core.services import translation_save

pytestmark = pytest.mark.django_db

DRAFT, REVIEWED, PUBLISHED = (
    Translation.Status.DRAFT,
    Translation.Status.REVIEWED,
    Translation.Status.PUBLISHED,
)
# teilziel-4 of 6.2 has only a (synthetic) English draft in the demo data.
GOAL_4 = {"edition__year": 2019, "field__slug": "6-2", "slug": "teilziel-4"}


@pytest.fixture
def goal(demo):
    return Goal.objects.get(**GOAL_4)


@pytest.fixture
def translator(django_user_model):
    """A commissioned translator: a staff account with just the translation permission."""
    user = django_user_model.objects.create_user("translator", password="pw-tr-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_translation"))
    return user


def _ar(obj, field="text"):
    return Translation.objects.get(object_id=obj.pk, field=field, language="ar")


# -- the service ------------------------------------------------------------------------


def test_draft_records_source_digest_and_who_saved_it(goal, translator):
    saved = translation_save(
        obj=goal, field="text", language="ar", text="  نص  \r\n", status=DRAFT, user=translator
    )
    assert saved.text == "نص"
    assert saved.source_digest == source_digest(goal.text)
    assert saved.updated_by == translator
    assert not saved.is_stale(goal.text)
    assert goal.translated("text", "ar") == (goal.text, "de")  # drafts are not shown


def test_publishing_needs_the_reviewed_step(goal, translator):
    with pytest.raises(ValidationError) as error:
        translation_save(obj=goal, field="text", language="ar", text="نص", status=PUBLISHED)
    assert "status" in error.value.message_dict
    translation_save(obj=goal, field="text", language="ar", text="نص", status=DRAFT)
    with pytest.raises(ValidationError):
        translation_save(obj=goal, field="text", language="ar", text="نص", status=PUBLISHED)
    assert _ar(goal).status == DRAFT

    translation_save(obj=goal, field="text", language="ar", text="نص", status=REVIEWED)
    translation_save(
        obj=goal, field="text", language="ar", text="نص", status=PUBLISHED, user=translator
    )
    assert _ar(goal).status == PUBLISHED
    goal = Goal.objects.prefetch_related("translations").get(pk=goal.pk)
    assert goal.translated("text", "ar") == ("نص", "ar")


def test_a_changed_text_cannot_be_published_without_review(goal):
    translation_save(obj=goal, field="text", language="ar", text="نص", status=REVIEWED)
    with pytest.raises(ValidationError):
        translation_save(obj=goal, field="text", language="ar", text="نص آخر", status=PUBLISHED)
    translation_save(obj=goal, field="text", language="ar", text="نص", status=PUBLISHED)
    # Editing a published text: it must go through review again.
    with pytest.raises(ValidationError):
        translation_save(obj=goal, field="text", language="ar", text="نص آخر", status=PUBLISHED)
    assert _ar(goal).text == "نص"


def test_source_change_marks_translation_stale_until_reviewed_again(goal):
    translation_save(obj=goal, field="text", language="ar", text="نص", status=REVIEWED)
    translation_save(obj=goal, field="text", language="ar", text="نص", status=PUBLISHED)
    Goal.objects.filter(pk=goal.pk).update(text=goal.text + " Neu.")
    goal.refresh_from_db()
    item = _ar(goal)
    assert item.is_stale(goal.text)
    # Still published: visitors keep the translation while staff see "source changed".
    assert Goal.objects.prefetch_related("translations").get(pk=goal.pk).translated(
        "text", "ar"
    ) == ("نص", "ar")
    # Re-publishing unchanged is refused: it was reviewed against the old source.
    with pytest.raises(ValidationError) as error:
        translation_save(obj=goal, field="text", language="ar", text="نص", status=PUBLISHED)
    assert "status" in error.value.message_dict
    translation_save(obj=goal, field="text", language="ar", text="نص", status=REVIEWED)
    assert not _ar(goal).is_stale(goal.text)
    translation_save(obj=goal, field="text", language="ar", text="نص", status=PUBLISHED)
    assert _ar(goal).status == PUBLISHED


def test_digest_is_taken_from_the_stored_source_not_the_callers_copy(goal):
    stored = goal.text
    goal.text = "ein Text, den niemand gespeichert hat"
    saved = translation_save(obj=goal, field="text", language="en", text="x", status=DRAFT)
    assert saved.source_digest == source_digest(stored)


def test_saving_unchanged_keeps_the_record(goal, translator, django_user_model):
    first = translation_save(
        obj=goal, field="text", language="ar", text="نص", status=DRAFT, user=translator
    )
    other = django_user_model.objects.create_user("someone", is_staff=True)
    again = translation_save(
        obj=goal, field="text", language="ar", text="نص", status=DRAFT, user=other
    )
    assert again.updated_by == translator and again.updated_at == first.updated_at


def test_html_translations_are_sanitised(demo):
    chapter = Chapter.objects.filter(edition=demo[2019]).exclude(body="").first()
    saved = translation_save(
        obj=chapter,
        field="body",
        language="en",
        text='<p onclick="x()">Hello <script>alert(1)</script><em>world</em></p>',
        status=DRAFT,
    )
    assert saved.text == "<p>Hello <em>world</em></p>"


def test_invalid_requests_are_refused(goal):
    for language in ("de", "xx"):
        with pytest.raises(ValidationError):
            translation_save(obj=goal, field="text", language=language, text="x", status=DRAFT)
    with pytest.raises(ValidationError):
        translation_save(obj=goal, field="text", language="ar", text="   ", status=DRAFT)
    with pytest.raises(ValidationError):
        translation_save(obj=goal, field="text", language="ar", text="x", status="done")
    with pytest.raises(ValueError):
        translation_save(obj=goal, field="slug", language="ar", text="x", status=DRAFT)


def test_an_editions_own_texts_open_in_the_workspace(demo):
    """The edition's title is addressed by the edition's own id (a crash before)."""
    from leitbild.concept.translation_selectors import translatable_get

    edition, other = demo[2019], demo[2014]
    assert translatable_get(edition=edition, kind="edition", pk=edition.pk, field="title") == (
        edition
    )
    assert translatable_get(edition=edition, kind="edition", pk=other.pk, field="title") is None


def test_polish_is_a_content_language(goal):
    from django.conf import settings

    assert settings.CONTENT_LANGUAGES["pl"]["dir"] == "ltr"
    assert translation_save(obj=goal, field="text", language="pl", text="Tekst", status=DRAFT)


# -- public pages -----------------------------------------------------------------------


def test_missing_translation_falls_back_to_german_visibly(client, demo):
    html = client.get("/leitbild/2019/6-2/", {"lang": "ar"}).content.decode()
    # The (synthetic) demo translations of 6.2 in Arabic …
    assert '<span lang="ar" dir="rtl">الاستشارة القانونية ومرافقة الاندماج</span>' in html
    assert 'class="field content-language" lang="ar" dir="rtl"' in html
    # … and a goal without one: German, marked as such, in the interface language.
    assert re.search(
        r'<span lang="de" dir="ltr">Wir verbessern die Beratungsmöglichkeiten zu rechtlichen '
        r"[^<]*</span>(<sup[^>]*>.*?</sup>)* "
        r'<span class="untranslated" lang="de" dir="ltr">\(nicht übersetzt\)</span>',
        html,
    )
    assert "Texte ohne Übersetzung (Arabisch)" in html
    german = client.get("/leitbild/2019/6-2/", {"lang": "de"}).content.decode()
    assert "untranslated" not in german and "nicht übersetzt" not in german


def test_only_published_translations_are_shown_and_stale_ones_stay(client, demo):
    html = client.get("/leitbild/2019/6-2/", {"lang": "en"}).content.decode()
    assert "We inform and advise people with a migration background" in html
    # teilziel-2: published, then its German source changed — still shown.
    assert "We use every legal means for a residence management" in html
    # teilziel-4 is a draft and teilziel-5 reviewed: neither is public yet.
    assert "We improve advice on legal questions" not in html
    assert "will network with one another" not in html
    assert "Die mit rechtlichen Aspekten von Integration betrauten Institutionen" in html


def test_goal_page_in_arabic_and_easy_german(client, demo):
    html = client.get("/leitbild/2019/6-2/teilziel-1/", {"lang": "ar"}).content.decode()
    assert '<div class="content-language" lang="ar" dir="rtl">' in html
    assert "نواصل، في حدود الإمكانات القانونية" in html
    # The nested goal without an Arabic translation, in German and marked.
    assert re.search(r"Beratungsangebote\.</span> <span class=\"untranslated\"", html)
    # The switcher marks the language shown.
    assert 'href="?lang=ar" hreflang="ar" lang="ar" dir="rtl" aria-current="true"' in html

    html = client.get("/leitbild/2019/6-2/teilziel-1/", {"lang": "de-easy"}).content.decode()
    assert '<div class="content-language" lang="de" dir="ltr">' in html
    assert "Darum machen wir unsere Angebote immer besser." in html
    assert "untranslated" not in html.split('class="goal-text"')[1].split("</blockquote>")[0]


def test_chosen_content_language_is_remembered(client, demo):
    client.get("/leitbild/2019/6-2/teilziel-1/", {"lang": "ar"})
    html = client.get("/leitbild/2019/6-2/leitziel-1/").content.decode()
    assert "نُطلِع الأشخاص ذوي الأصول المهاجرة" in html
    client.get("/leitbild/2019/", {"lang": "de"})
    html = client.get("/leitbild/2019/6-2/leitziel-1/").content.decode()
    assert "Wir informieren und beraten Menschen" in html
    assert '<div class="content-language" lang="de" dir="ltr">' in html


def test_translated_pages_cost_no_query_per_goal(client, demo):
    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"lang": "ar"}).status_code == 200
        return len(ctx)

    queries("/leitbild/2019/6-1/")  # warm per-process caches (content types)
    assert queries("/leitbild/2019/6-6/") == queries("/leitbild/2019/6-8/")  # 11 vs 21 goals
    # Goal pages with two nested goals and with one.
    assert queries("/leitbild/2019/6-2/teilziel-1/") == queries("/leitbild/2019/6-2/teilziel-2/")


def test_pdf_link_carries_the_content_language(client, demo):
    html = client.get("/leitbild/2019/", {"lang": "ar"}).content.decode()
    assert 'href="/leitbild/2019/leitbild.pdf?lang=ar"' in html
    assert client.get("/leitbild/2019/leitbild.pdf", {"lang": "xx"}).status_code == 404


# -- staff workspace --------------------------------------------------------------------


def _expected_total(edition: Edition) -> int:
    """Non-empty translatable texts of an edition, counted without the selector."""
    total = 1  # the edition's title
    for model, filters in [
        (Chapter, {"edition": edition}),
        (FieldOfAction, {"edition": edition}),
        (GoalGroup, {"field__edition": edition}),
        (Goal, {"edition": edition}),
        (Footnote, {"edition": edition}),
        (GlossaryEntry, {"edition": edition}),
    ]:
        for values in model.objects.filter(**filters).values(*model.translatable_fields):
            total += sum(1 for value in values.values() if value.strip())
    return total


def test_status_page_counts_every_state(client, demo, translator):
    client.force_login(translator)
    response = client.get("/uebersetzungen/2019/")
    assert response.status_code == 200
    total = _expected_total(demo[2019])
    assert response.context["total"] == total > 200
    coverage = {c.code: c for c in response.context["coverage"]}
    assert set(coverage) == {"de-easy", "en", "ar", "fa", "tr", "ru", "uk", "pl"}
    # The synthetic demo translations (concept/demo/translations-2019.json).
    assert coverage["ar"].counts == {
        "published": 7,
        "reviewed": 0,
        "draft": 0,
        "missing": total - 7,
    }
    assert coverage["en"].counts == {
        "published": 9,
        "reviewed": 1,
        "draft": 1,
        "missing": total - 11,
    }
    assert coverage["en"].stale == 1 and coverage["ar"].stale == 0
    assert coverage["tr"].counts["draft"] == 1
    assert coverage["pl"].counts["missing"] == total
    html = response.content.decode()
    # The bar: SVG rectangles, no inline style (the CSP allows none).
    assert '<rect class="bar-published" x="0.000"' in html
    assert "style=" not in html.split("<main", 1)[1]


def test_workspace_lists_source_beside_translation_with_markers(client, demo, translator):
    client.force_login(translator)
    response = client.get("/uebersetzungen/2019/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "We use every legal means" in html
    stale_goal = Goal.objects.get(**{**GOAL_4, "slug": "teilziel-2"})
    row = html.split(f'id="t-goal-{stale_goal.pk}-text"')[1]
    assert "Quelle geändert" in row.split("</tr>")[0]
    stale = client.get("/uebersetzungen/2019/en/", {"status": "stale"})
    assert len(stale.context["rows"]) == 1
    missing = client.get("/uebersetzungen/2019/en/", {"status": "missing"})
    assert len(missing.context["rows"]) == response.context["counts"]["missing"]


def test_translator_writes_reviews_and_publishes_in_the_workspace(client, goal, translator):
    client.force_login(translator)
    url = f"/uebersetzungen/2019/ar/goal/{goal.pk}/text/"
    page = client.get(url).content.decode()
    assert 'lang="ar" dir="rtl"' in page  # the textarea
    assert goal.text in page  # the German source beside it
    text = "نحسّن إمكانيات الاستشارة بشأن المسائل القانونية."
    response = client.post(url, {"text": text, "status": "published"})
    assert response.status_code == 200 and "zuerst als geprüft" in response.content.decode()
    assert not Translation.objects.filter(object_id=goal.pk, language="ar").exists()
    response = client.post(url, {"text": text, "status": "reviewed"})
    assert response.status_code == 302 and response["Location"].endswith(f"#t-goal-{goal.pk}-text")
    assert client.post(url, {"text": text, "status": "published"}).status_code == 302
    saved = _ar(goal)
    assert saved.status == PUBLISHED and saved.updated_by == translator
    assert text in client.get(goal.get_absolute_url(), {"lang": "ar"}).content.decode()


def test_workspace_addresses_stay_inside_their_edition(client, demo, translator):
    client.force_login(translator)
    goal_2014 = Goal.objects.filter(edition__year=2014).first()
    assert client.get(f"/uebersetzungen/2019/ar/goal/{goal_2014.pk}/text/").status_code == 404
    goal = Goal.objects.get(**GOAL_4)
    assert client.get(f"/uebersetzungen/2019/ar/goal/{goal.pk}/slug/").status_code == 404
    assert client.get(f"/uebersetzungen/2019/ar/widget/{goal.pk}/text/").status_code == 404
    assert client.get(f"/uebersetzungen/2019/de/goal/{goal.pk}/text/").status_code == 404
    assert client.get("/uebersetzungen/2019/xx/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/uebersetzungen/", "/uebersetzungen/2019/", "/uebersetzungen/2019/ar/"]
)
def test_workspace_is_for_staff_with_the_permission(client, demo, django_user_model, url):
    assert client.get(url)["Location"].startswith("/konto/anmelden/")
    # Staff without the permission, and a non-staff account with it: refused.
    staff = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    outsider = django_user_model.objects.create_user("outsider")
    outsider.user_permissions.add(Permission.objects.get(codename="change_translation"))
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_edit_form_refuses_anonymous_and_plain_staff(client, goal, django_user_model):
    url = f"/uebersetzungen/2019/ar/goal/{goal.pk}/text/"
    response = client.post(url, {"text": "x", "status": "draft"})
    assert response.status_code == 302 and response["Location"].startswith("/konto/anmelden/")
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_translation"))
    client.force_login(viewer)
    assert client.post(url, {"text": "x", "status": "draft"}).status_code == 403
    assert client.get("/uebersetzungen/2019/").status_code == 200  # may see the status
    assert not Translation.objects.filter(object_id=goal.pk, language="ar").exists()


# -- the brochure -----------------------------------------------------------------------


def test_brochure_html_in_arabic_is_right_to_left_with_marked_fallbacks(demo):
    from leitbild.publishing.services import edition_print_html

    html = edition_print_html(edition=demo[2019], language="ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "الاستشارة القانونية ومرافقة الاندماج" in html
    # No space before </p>: WeasyPrint would break the line after its first word.
    assert "لمصلحة الناس.</p>" in html
    assert '<span lang="de" dir="ltr">Wir verbessern die Beratungsmöglichkeiten zu' in html
    assert "(nicht übersetzt)" in html
    german = edition_print_html(edition=demo[2019], language="de")
    assert '<html lang="de" dir="ltr">' in german and "nicht übersetzt" not in german
    with pytest.raises(ValueError):
        edition_print_html(edition=demo[2019], language="xx")


def test_export_pdf_in_arabic(demo, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "leitbild-2019-ar.pdf"
    arguments = ["--edition", "2019", "--language", "ar", "--out", str(out)]
    call_command("export_pdf", *arguments, stdout=io.StringIO())
    text = "\n".join(page.extract_text() or "" for page in PdfReader(out).pages)
    assert re.search("[\u0600-\u06ff]{4}", text)  # Arabic letters were laid out
    assert "nicht übersetzt" in text


def test_a_new_draft_takes_the_translations_along_in_their_state(demo):
    """Staff start the next revision: the draft's texts are the same, so their
    translations are too — until a draft text is reworded, which marks them stale."""
    from leitbild.concept.services import edition_create_draft, goal_update_text

    source = Edition.objects.get(year=2019)
    chapter = source.chapters.first()
    translation_save(obj=chapter, field="title", language="en", text="Intro", status=REVIEWED)
    originals = {
        (t.content_type_id, t.object_id, t.field, t.language): t for t in Translation.objects.all()
    }
    draft = edition_create_draft(source=source, year=2031)

    copied_goal = draft.goals.get(predecessor__slug="teilziel-4", field__slug="6-2")
    (english,) = Translation.objects.filter(object_id=copied_goal.pk, content_type__model="goal")
    original = Goal.objects.get(**GOAL_4).translations.get(language="en")
    assert (english.text, english.status, english.source_digest) == (
        original.text,
        original.status,
        original.source_digest,
    )
    assert not english.is_stale(copied_goal.text)
    copied_chapter = draft.chapters.get(position=chapter.position)
    assert copied_chapter.translations.get(language="en").status == REVIEWED
    # The defined terms come along too, with the chapter that defines them.
    terms = list(source.glossary.values_list("slug", "definition", "chapter__position"))
    assert (
        terms
        and list(draft.glossary.values_list("slug", "definition", "chapter__position")) == terms
    )
    assert not draft.glossary.exclude(chapter=None).exclude(chapter__edition=draft).exists()
    # Every translation of the source edition's texts has its copy; none was moved.
    assert Translation.objects.count() > len(originals)
    assert all(
        Translation.objects.filter(pk=t.pk, object_id=t.object_id).exists()
        for t in originals.values()
    )

    goal_update_text(goal=copied_goal, text=copied_goal.text + " Neu gefasst.")
    copied_goal.refresh_from_db()
    assert Translation.objects.get(pk=english.pk).is_stale(copied_goal.text)
    assert not original.is_stale(Goal.objects.get(**GOAL_4).text)
