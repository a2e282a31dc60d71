from django.contrib import admin

from evaluations.models import EvaluationForm, Question, Section

# --- The form ---
# Read-only: forms are changed through the coordinators' pages, which keep a published version
# from being edited and the reflection questions from being removed.


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SectionInline(_ReadOnlyInline):
    model = Section
    fields = ("order", "title")


class QuestionInline(_ReadOnlyInline):
    model = Question
    fields = ("order", "key", "text", "kind", "required", "low_label", "high_label", "choices")


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EvaluationForm)
class EvaluationFormAdmin(_ReadOnlyAdmin):
    list_display = ("title", "course", "version", "status", "published_at")
    list_filter = ("status",)
    list_select_related = ("course",)
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(_ReadOnlyAdmin):
    list_display = ("title", "form", "order")
    list_select_related = ("form", "form__course")
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(_ReadOnlyAdmin):
    list_display = ("text", "key", "kind", "required", "section")
    list_filter = ("kind",)
    list_select_related = ("section",)
    search_fields = ("text", "key")


# --- Invitations and responses ---


# --- Results ---
