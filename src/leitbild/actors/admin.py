from django.contrib import admin
from django.db.models import Count

from leitbild.concept.models import Edition, FieldOfAction

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "city", "field_count")
    list_filter = ("category", "city")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("fields",)
    list_select_related = ("city",)
    fields = ("city", "name", "slug", "category", "fields", "website", "description")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(field_count=Count("fields"))

    @admin.display(
        description=Organisation._meta.get_field("fields").verbose_name, ordering="field_count"
    )
    def field_count(self, obj):
        return obj.field_count

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "fields":
            # Organisations are tied to the fields of editions in force or archived,
            # not to drafts that may still change.
            kwargs["queryset"] = (
                FieldOfAction.objects.exclude(edition__status=Edition.Status.DRAFT)
                .select_related("edition")
                .order_by("-edition__year", "position")
            )
            formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
            # Field numbers repeat from edition to edition: say which edition.
            formfield.label_from_instance = lambda field: f"{field.edition.year} · {field}"
            return formfield
        return super().formfield_for_manytomany(db_field, request, **kwargs)
