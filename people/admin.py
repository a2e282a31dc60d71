# Imported first so that its registration of TOTPDevice (key, QR code) exists to be replaced.
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from people.audit_actions import RoleAction
from people.models import Participant, Region, Role, Team, User
from people.selectors import second_factor_methods
from people.services import second_factor_reset

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
        ("Two-step sign-in", {"fields": ("second_factor",)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("second_factor",)
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    filter_horizontal = ("groups",)

    @admin.display(description="Second factor")
    def second_factor(self, user: User) -> str:
        methods = second_factor_methods(user=user)
        if not methods:
            return "None set up"
        return format_html(
            '{} <a class="button" href="{}">Reset two-step sign-in</a>',
            ", ".join(methods),
            reverse("admin:people_user_second_factor_reset", args=[user.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<id>/second-factor-reset/",
                self.admin_site.admin_view(self.second_factor_reset_view),
                name="people_user_second_factor_reset",
            ),
            *super().get_urls(),
        ]

    def second_factor_reset_view(self, request, id):
        """Confirm, then (POST) remove every second factor of a person who lost theirs."""
        if not request.user.is_superuser:
            raise PermissionDenied
        person = self.get_object(request, unquote(id))
        if person is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, id)
        if request.method == "POST":
            if second_factor_reset(user=person, by=request.user, request=request):
                messages.success(
                    request,
                    f"Two-step sign-in reset for {person.email}: they set it up again at their "
                    "next sign-in, and have been emailed.",
                )
            else:
                messages.info(request, f"{person.email} had no two-step sign-in to reset.")
            return redirect("admin:people_user_change", person.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": person,
            "methods": second_factor_methods(user=person),
            "title": "Reset two-step sign-in",
        }
        return TemplateResponse(request, "admin/people/user/second_factor_reset.html", context)

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
                action=RoleAction.ROLES_CHANGED,
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


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class SecondFactorDeviceAdmin(admin.ModelAdmin):
    """Who has which second factor, read only: never the key, its QR code or its set-up address.

    A lost device is reset from the person's page (Users), which is audited and tells them."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["name", "confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
