from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.core.text import word_diff

from . import permissions, selectors, services
from .forms import CompareForm, PredecessorForm, SearchForm
from .models import Edition, Goal


def _edition(slug: str) -> Edition:
    edition = Edition.objects.public().select_related("city").filter(slug=slug).first()
    if edition is None:
        raise Http404(_("No such edition."))
    return edition


def home(request):
    editions = list(
        Edition.objects.public().select_related("city").prefetch_related("translations")
    )
    current = next((e for e in editions if e.status == Edition.Status.ADOPTED), None)
    return render(request, "concept/home.html", {"editions": editions, "current": current})


def edition_detail(request, edition):
    edition = _edition(edition)
    context = {"edition": edition, **selectors.edition_overview(edition)}
    # Editions known only from council papers hold no goals: nothing to compare with.
    context["others"] = (
        Edition.objects.public()
        .filter(city=edition.city)
        .exclude(pk=edition.pk)
        .annotate(goal_count=Count("goals"))
    )
    context["goal_count"] = edition.goals.count()
    return render(request, "concept/edition_detail.html", context)


def edition_history(request):
    """Every edition with its council paper, adoption and validity, oldest first."""
    entries = selectors.edition_history()
    context = {"entries": entries, "any_derived": any(e.derived for e in entries)}
    return render(request, "concept/history.html", context)


def chapter_detail(request, edition, chapter):
    edition = _edition(edition)
    chapter = get_object_or_404(
        edition.chapters.prefetch_related("translations", "footnotes__translations"),
        slug=chapter,
    )
    chapters = list(edition.chapters.only("slug", "title", "number", "position", "edition"))
    index = [c.pk for c in chapters].index(chapter.pk)
    context = {
        "edition": edition,
        "chapter": chapter,
        "previous": chapters[index - 1] if index > 0 else None,
        "next": chapters[index + 1] if index + 1 < len(chapters) else None,
        "fields": edition.fields.filter(chapter=chapter)
        .prefetch_related("translations")
        .order_by("position"),
    }
    return render(request, "concept/chapter_detail.html", context)


def field_detail(request, edition, field):
    edition = _edition(edition)
    fields = selectors.edition_fields_with_goals(edition, only=field)
    current = next((f for f in fields if f.slug == field), None)
    if current is None:
        raise Http404(_("No such field of action."))
    index = fields.index(current)
    context = {
        "edition": edition,
        "field": current,
        "previous": fields[index - 1] if index > 0 else None,
        "next": fields[index + 1] if index + 1 < len(fields) else None,
    }
    return render(request, "concept/field_detail.html", context)


def goal_detail(request, edition, field, goal):
    edition = _edition(edition)
    goal = get_object_or_404(
        Goal.objects.for_display()
        .select_related("predecessor__edition", "predecessor__field")
        .prefetch_related(
            # The page shows these texts in the content language too.
            "field__translations",
            "group__translations",
            "parent__translations",
            "footnotes__translations",
            Prefetch("children", queryset=Goal.objects.for_display().order_by("position")),
            Prefetch(
                "successors",
                queryset=Goal.objects.select_related("edition", "field").order_by("edition__year"),
            ),
        ),
        edition=edition,
        field__slug=field,
        slug=goal,
    )
    diff = None
    if goal.predecessor:
        diff = word_diff(goal.predecessor.text, goal.text)
    context = {
        "edition": edition,
        "goal": goal,
        "diff": diff,
        "segments": selectors.goal_segments(goal),
    }
    return render(request, "concept/goal_detail.html", context)


def glossary(request, edition):
    edition = _edition(edition)
    entries = edition.glossary.select_related("chapter").prefetch_related("translations")
    return render(request, "concept/glossary.html", {"edition": edition, "entries": entries})


def search_view(request):
    form = SearchForm(request.GET or None)
    hits, query = [], ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        hits = selectors.search(query, edition=form.cleaned_data["edition"])
    return render(request, "concept/search.html", {"form": form, "hits": hits, "query": query})


def compare_choose(request):
    form = CompareForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect(
            "concept:compare", old=form.cleaned_data["old"].slug, new=form.cleaned_data["new"].slug
        )
    if not form.is_bound:
        adopted = list(Edition.objects.public().order_by("year"))
        if len(adopted) >= 2:
            form = CompareForm(initial={"old": adopted[-2].slug, "new": adopted[-1].slug})
    return render(request, "concept/compare_choose.html", {"form": form})


def compare(request, old, new):
    old, new = _edition(old), _edition(new)
    if old.city_id != new.city_id or old.year >= new.year:
        raise Http404(_("These editions cannot be compared."))
    rows = selectors.edition_comparison(old=old, new=new)
    status = request.GET.get("status", "")
    shown = [r for r in rows if r.status == status] if status else rows
    context = {
        "old": old,
        "new": new,
        "rows": shown,
        "counts": selectors.comparison_counts(rows),
        "status": status,
        "can_correct": permissions.can_correct_lineage(request.user),
    }
    return render(request, "concept/compare.html", context)


@require_http_methods(["GET", "POST"])
def lineage_edit(request, old, new, goal_id):
    if not permissions.can_correct_lineage(request.user):
        raise PermissionDenied
    old, new = _edition(old), _edition(new)
    goal = get_object_or_404(
        Goal.objects.select_related("edition", "field"), pk=goal_id, edition=new
    )
    form = PredecessorForm(
        request.POST or None,
        old_edition=old,
        initial={"predecessor": goal.predecessor_id if goal.predecessor else None},
    )
    if request.method == "POST" and form.is_valid():
        services.goal_set_predecessor(goal=goal, predecessor=form.cleaned_data["predecessor"])
        messages.success(request, _("The lineage of this goal was saved."))
        return redirect("concept:compare", old=old.slug, new=new.slug)
    return render(
        request, "concept/lineage_edit.html", {"old": old, "new": new, "goal": goal, "form": form}
    )
