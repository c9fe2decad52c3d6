from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import Contribution, Event, Phase, Poll, Process, Registration


class PhaseInline(admin.StackedInline):
    model = Phase
    extra = 0
    filter_horizontal = ["priority_fields"]


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ["title", "base_edition", "draft_edition", "starts_on", "ends_on"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["staff"]
    inlines = [PhaseInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "place_name", "capacity", "visibility"]
    list_filter = ["process", "kind", "visibility", "phase"]
    search_fields = ["title", "place_name"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["fields"]


class ProcessStaffAdmin(admin.ModelAdmin):
    """Personal data: only the staff of the row's process see and change these rows."""

    process_path = "process"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.process_path}__staff": request.user})

    def has_view_permission(self, request, obj=None):
        if obj is not None:
            process = obj
            for part in self.process_path.split("__"):
                process = getattr(process, part)
            return permissions.is_process_staff(request.user, process)
        return super().has_view_permission(request, obj)


@admin.register(Registration)
class RegistrationAdmin(ProcessStaffAdmin):
    process_path = "event__process"
    list_display = ["name", "event", "status", "created_at", "attended"]
    list_filter = ["status", "event__process", "event"]
    search_fields = ["name", "email"]
    readonly_fields = ["token", "consent_at", "created_at", "cancelled_at", "promoted_at"]


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
