from django.contrib import admin

from sessions.models import (
    Activity,
    Course,
    CourseVersion,
    DeliveryReport,
    LearningOutcome,
    Registration,
    Room,
    SessionCost,
    TrainerAssignment,
    TrainingSession,
    Venue,
)

# --- Courses and venues ---


class CourseVersionInline(admin.TabularInline):
    model = CourseVersion
    fields = ("number", "status", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "created_at")
    search_fields = ("title",)
    inlines = [CourseVersionInline]


class LearningOutcomeInline(admin.StackedInline):
    model = LearningOutcome
    fields = ("order", "text")
    extra = 0
    show_change_link = True


@admin.register(CourseVersion)
class CourseVersionAdmin(admin.ModelAdmin):
    """Status changes go through the coordinators' pages, which check a version is complete."""

    list_display = ("course", "number", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("course__title",)
    readonly_fields = ("course", "number", "status", "published_at", "created_at")
    autocomplete_fields = ("co_designers",)
    inlines = [LearningOutcomeInline]


class ActivityInline(admin.StackedInline):
    model = Activity
    extra = 0


@admin.register(LearningOutcome)
class LearningOutcomeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "order")
    list_select_related = ("version__course",)
    inlines = [ActivityInline]


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name", "address")
    inlines = [RoomInline]


# --- Scheduling and trainers ---


class TrainerAssignmentInline(admin.TabularInline):
    model = TrainerAssignment
    fields = ("user", "role", "status", "override_reason", "overridden_by", "responded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    """Scheduling, moving, confirming and cancelling go through the coordinators' pages, which
    check for clashes and tell the people on the session: here those fields are read-only."""

    list_display = ("code", "course_version", "starts_at", "region", "status", "phase")
    list_filter = ("status", "phase", "region")
    list_select_related = ("course_version__course", "region")
    search_fields = ("code", "course_version__course__title")
    date_hierarchy = "starts_at"
    readonly_fields = ("starts_at", "ends_at", "room", "is_online", "status", "created_at")
    raw_id_fields = ("course_version", "coordinator")
    # The registration link and the check-in code are for learners: never shown.
    exclude = ("registration_token", "check_in_code")
    inlines = [TrainerAssignmentInline]


@admin.register(TrainerAssignment)
class TrainerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "session", "role", "status", "invited_at", "responded_at")
    list_filter = ("role", "status")
    list_select_related = ("user", "session__course_version__course")
    search_fields = ("user__full_name", "user__email", "session__code")
    raw_id_fields = ("session", "user", "overridden_by")
    readonly_fields = ("status", "override_reason", "overridden_by", "invited_at", "responded_at")
    # The token answers the invitation from the email: never shown.
    exclude = ("token",)


# --- Registrations and attendance ---


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("participant", "session", "status", "source", "created_at")
    list_filter = ("status", "source")
    list_select_related = ("participant", "session__course_version__course")
    search_fields = ("participant__full_name", "participant__email", "session__code")
    raw_id_fields = ("session", "participant")
    # The token is the learner's own cancel link: never shown.
    exclude = ("token",)


@admin.register(DeliveryReport)
class DeliveryReportAdmin(admin.ModelAdmin):
    list_display = ("session", "delivered_as_planned", "attendee_count", "submitted_at")
    list_select_related = ("session__course_version__course",)
    raw_id_fields = ("session", "submitted_by")
    # The debrief is the trainer's private wellbeing check-in (docs/domain.md, Privacy): not even
    # linked.
    exclude = ("debrief",)


@admin.register(SessionCost)
class SessionCostAdmin(admin.ModelAdmin):
    list_display = ("session", "kind", "amount", "description")
    list_filter = ("kind",)
    list_select_related = ("session__course_version__course",)
    raw_id_fields = ("session",)


# --- Calendar feeds and imports ---
