from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from audit.models import Action
from audit.services import audit_record
from people.models import Participant, Region, Role, Team, User

# Being an admin is a role too (Role's docstring): these flags are recorded with role changes.
ADMIN_FLAGS = ("is_superuser", "is_staff")


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreateForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "full_name", "password")}),
        ("Roles", {"fields": ("groups", "is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    filter_horizontal = ("groups",)

    def save_related(self, request, form, formsets, change) -> None:
        """Save the groups, then record in the audit trail any change of role or admin status."""
        user = form.instance
        before = _role_values(user) if change else []
        super().save_related(request, form, formsets, change)
        after = _role_values(user)
        user.__dict__.pop("roles", None)
        changes = {}
        if before != after:
            changes["roles"] = (before, after)
        if change:
            for flag in ADMIN_FLAGS:
                if flag in form.changed_data:
                    changes[flag] = (form.initial.get(flag), form.cleaned_data[flag])
        if changes:
            audit_record(
                action=Action.ROLES_CHANGED,
                actor=request.user,
                obj=user,
                changes=changes,
                request=request,
            )


def _role_values(user: User) -> list[str]:
    labels = {role.label: role.value for role in Role}
    return sorted(
        labels[name] for name in user.groups.filter(name__in=labels).values_list("name", flat=True)
    )


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "workforce_headcount"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "participant_type", "team", "region"]
    list_filter = ["participant_type", "region"]
    list_select_related = ["team__region", "region"]
    search_fields = ["full_name", "email"]
    autocomplete_fields = ["team", "region"]
