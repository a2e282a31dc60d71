from django.contrib import admin

from expenses.models import MileageRate


@admin.register(MileageRate)
class MileageRateAdmin(admin.ModelAdmin):
    list_display = ("vehicle", "per_mile", "effective_from")
    list_filter = ("vehicle",)
