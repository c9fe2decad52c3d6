from django.contrib import admin

from .models import Indicator, Observation


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "direction", "target_value", "target_year"]
    list_filter = ["city", "direction", "frequency"]
    search_fields = ["code", "name"]
    raw_id_fields = ["goals"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "area", "disaggregation_key", "value", "status"]
    list_filter = ["indicator", "status", "period"]
    raw_id_fields = ["area"]
