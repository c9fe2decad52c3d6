from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import permissions, services
from .models import Contribution, Event, Phase, Poll, Process, Registration


class PhaseInline(admin.StackedInline):
    model = Phase
    extra = 0
    filter_horizontal = ["priority_fields"]


class ProcessStaffAdmin(admin.ModelAdmin):
    """Rows of a process are for its staff: others neither list, see, change nor delete them.

    ``process_path`` leads from a row to its process.
    """

    process_path = "process"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        lookup = f"{self.process_path}__in" if self.process_path else "pk__in"
        return qs.filter(**{lookup: permissions.processes_staffed_by(request.user)})

    def _process_of(self, obj):
        for part in self.process_path.split("__") if self.process_path else []:
            obj = getattr(obj, part)
        return obj

    def _allowed(self, request, obj, default: bool) -> bool:
        if obj is None:
            return default
        return default and permissions.is_process_staff(request.user, self._process_of(obj))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj, super().has_view_permission(request, obj))

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj, super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj, super().has_delete_permission(request, obj))


@admin.register(Process)
class ProcessAdmin(ProcessStaffAdmin):
    process_path = ""
    list_display = ["title", "base_edition", "draft_edition", "starts_on", "ends_on"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["staff"]
    inlines = [PhaseInline]

    def get_readonly_fields(self, request, obj=None):
        # Who belongs to a process's staff (and so sees its personal data) is for
        # superusers to decide; otherwise anyone could add themselves.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), "staff"]


@admin.register(Event)
class EventAdmin(ProcessStaffAdmin):
    list_display = ["title", "kind", "starts_at", "place_name", "capacity", "visibility"]
    list_filter = ["process", "kind", "visibility", "phase"]
    search_fields = ["title", "place_name"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["fields"]

    def save_model(self, request, obj, form, change):
        # Through the services: a raised capacity moves people up from the waiting
        # list, and calendar clients learn of the change (SEQUENCE).
        values = {name: getattr(obj, name) for name in services.EVENT_FIELDS}
        if change:
            services.event_update(event=obj, phase=obj.phase, **values)
        else:
            obj.save()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "process" and not request.user.is_superuser:
            kwargs["queryset"] = permissions.processes_staffed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Registration)
class RegistrationAdmin(ProcessStaffAdmin):
    process_path = "event__process"
    list_display = ["name", "event", "status", "created_at", "attended"]
    list_filter = ["status", "event__process", "event"]
    search_fields = ["name", "email"]
    # Status changes go through the services (waiting list, e-mails): on the pages.
    readonly_fields = [
        "status",
        "token",
        "consent_at",
        "created_at",
        "cancelled_at",
        "promoted_at",
    ]


@admin.register(Contribution)
class ContributionAdmin(ProcessStaffAdmin):
    list_display = ["__str__", "kind", "status", "disposition", "report_count", "created_at"]
    list_filter = ["process", "kind", "status", "disposition"]
    search_fields = ["body", "author_name", "email"]
    readonly_fields = ["token", "created_at", "confirmed_at", "report_count"]
    raw_id_fields = ["goal", "parent", "revisions"]
    actions = ["hide_for_spam"]

    @admin.action(description=_("Hide as spam"))
    def hide_for_spam(self, request, queryset):
        queryset.update(status=Contribution.Status.HIDDEN, hidden_reason=str(_("spam")))


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["title", "process", "points", "opens_at", "closes_at"]
    filter_horizontal = ["options"]
