from django.contrib import admin

from .models import ActionGoal, Measure, ProgressReport


class ProgressReportInline(admin.StackedInline):
    model = ProgressReport
    extra = 0
    readonly_fields = ["author"]


@admin.register(ActionGoal)
class ActionGoalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "goal", "target_value", "deadline"]
    search_fields = ["text"]
    raw_id_fields = ["goal"]
    filter_horizontal = ["responsible", "indicators"]
    inlines = [ProgressReportInline]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "starts_on", "ends_on", "funding_programme"]
    list_filter = ["status"]
    search_fields = ["title", "description"]
    filter_horizontal = ["goals", "action_goals", "lead", "partners"]
    inlines = [ProgressReportInline]
