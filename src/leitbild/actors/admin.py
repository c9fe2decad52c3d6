from django.contrib import admin
from django.db.models import Count

from leitbild.concept.models import Edition, FieldOfAction

from . import permissions
from .models import Organisation, OrganisationMember


class OrganisationMemberInline(admin.TabularInline):
    """Who represents the organisation or reports for it: administrators only, since
    membership grants rights (``actors/permissions.py``)."""

    model = OrganisationMember
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_members(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.can_manage_members(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_members(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_manage_members(request.user)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "city", "field_count")
    list_filter = ("category", "city")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("fields",)
    list_select_related = ("city",)
    fields = ("city", "name", "slug", "category", "fields", "website", "description", "contact")
    inlines = [OrganisationMemberInline]

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


@admin.register(OrganisationMember)
class OrganisationMemberAdmin(admin.ModelAdmin):
    """All representatives and reporters at a glance; for administrators only."""

    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    list_select_related = ("user", "organisation")
    raw_id_fields = ("user", "organisation")

    def has_module_permission(self, request):
        return permissions.can_manage_members(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_members(request.user)

    def has_add_permission(self, request):
        return permissions.can_manage_members(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_members(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_manage_members(request.user)
