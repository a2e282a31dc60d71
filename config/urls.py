from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from people import views as people_views
from people.forms import ResetRequestForm, SignInForm

admin.site.site_header = "Coproduce administration"
admin.site.site_title = "Coproduce admin"

auth_patterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(form_class=ResetRequestForm),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<token:uidb64>/<token:token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path("two-step/set-up/", people_views.SecondFactorSetupView.as_view(), name="two-factor-setup"),
    path("two-step/", people_views.SecondFactorVerifyView.as_view(), name="two-factor-verify"),
    path("two-step/email/", people_views.second_factor_email, name="two-factor-email"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", people_views.home, name="home"),
    path("accounts/", include(auth_patterns)),
    path("", include("people.urls")),
    path("", include("trainers.urls")),
    path("", include("sessions.urls")),
    path("", include("evaluations.urls")),
    path("", include("expenses.urls")),
    path("audit/", include("audit.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
