from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.translation import gettext_lazy as _

from leitbild.core.models import Translation

from .models import Chapter, City, Edition, FieldOfAction, Footnote, GlossaryEntry, Goal, GoalGroup
from .services import chapter_save


class TranslationInline(GenericTabularInline):
    """Translations of this object, read-only: they are written in the translation
    workspace (``/uebersetzungen/``), which keeps draft → reviewed → published and
    records the source each translation was made from."""

    model = Translation
    extra = 0
    fields = ("field", "language", "text", "status", "source_changed", "updated_at", "updated_by")
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("source changed"), boolean=True)
    def source_changed(self, translation):
        source = getattr(translation.content_object, translation.field, None)
        return source is not None and translation.is_stale(source)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("title", "city", "year", "number", "status", "council_paper", "valid_until")
    list_filter = ("city", "status")
    readonly_fields = ("source_name", "imported_at")
    inlines = [TranslationInline]


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("__str__", "edition", "kind", "position")
    list_filter = ("edition", "kind")
    inlines = [TranslationInline]

    def save_model(self, request, obj, form, change):
        # The body is rendered as HTML: sanitised on every save, as on import.
        chapter_save(chapter=obj)


@admin.register(FieldOfAction)
class FieldOfActionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "edition", "cross_cutting")
    list_filter = ("edition",)
    inlines = [TranslationInline]


@admin.register(GoalGroup)
class GoalGroupAdmin(admin.ModelAdmin):
    list_display = ("title", "field")
    inlines = [TranslationInline]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("slug", "field", "kind", "short_text", "lineage")
    list_filter = ("edition", "kind", "lineage")
    search_fields = ("text",)
    raw_id_fields = ("predecessor", "parent")
    list_select_related = ("field", "edition")
    inlines = [TranslationInline]

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text[:80]


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(admin.ModelAdmin):
    list_display = ("term", "edition")
    inlines = [TranslationInline]


@admin.register(Footnote)
class FootnoteAdmin(admin.ModelAdmin):
    list_display = ("number", "edition", "goal", "chapter")
    list_filter = ("edition",)
    inlines = [TranslationInline]
