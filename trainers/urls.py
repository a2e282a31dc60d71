from django.urls import path

from trainers import views

app_name = "trainers"

# --- Role descriptions and recruitment ---
recruitment_patterns: list = [
    path("join/", views.RoleDescriptionPublicView.as_view(), name="role-public"),
    path(
        "join/role-description/<int:version>/pdf/",
        views.RoleDescriptionPdfView.as_view(),
        name="role-pdf",
    ),
    path("join/apply/", views.ApplyView.as_view(), name="apply"),
    path("join/apply/thank-you/", views.ApplyThanksView.as_view(), name="apply-thanks"),
    path("trainers/role-descriptions/", views.RoleDescriptionListView.as_view(), name="role-list"),
    path(
        "trainers/role-descriptions/new/",
        views.RoleDescriptionCreateView.as_view(),
        name="role-create",
    ),
    path(
        "trainers/role-descriptions/<int:pk>/",
        views.RoleDescriptionDetailView.as_view(),
        name="role-detail",
    ),
    path(
        "trainers/role-descriptions/<int:pk>/edit/",
        views.RoleDescriptionEditView.as_view(),
        name="role-edit",
    ),
    path(
        "trainers/role-descriptions/<int:pk>/publish/",
        views.RoleDescriptionPublishView.as_view(),
        name="role-publish",
    ),
    path(
        "trainers/role-descriptions/<int:pk>/new-draft/",
        views.RoleDescriptionCopyView.as_view(),
        name="role-copy",
    ),
    path("trainers/applications/", views.ApplicationListView.as_view(), name="application-list"),
    path(
        "trainers/applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "trainers/applications/<int:pk>/resend-welcome/",
        views.ApplicationWelcomeResendView.as_view(),
        name="application-welcome-resend",
    ),
    path(
        "trainers/applications/<int:pk>/delete/",
        views.ApplicationDeleteView.as_view(),
        name="application-delete",
    ),
]

# --- Trainer profiles and Train the Trainer ---
profile_patterns: list = [
    path("me/", views.ProfileEditView.as_view(), name="my-profile"),
    path("me/step-back/", views.StepBackView.as_view(), name="my-step-back"),
    path("me/return/", views.ReturnView.as_view(), name="my-return"),
    path("me/training/", views.MyTrainingView.as_view(), name="my-training"),
    path("trainers/", views.TrainerListView.as_view(), name="trainer-list"),
    path("trainers/<int:pk>/", views.TrainerDetailView.as_view(), name="trainer-detail"),
    path("trainers/<int:pk>/assign/", views.TrainerAssignView.as_view(), name="trainer-assign"),
    path(
        "trainers/<int:pk>/progress/",
        views.TrainerProgressRecordView.as_view(),
        name="trainer-progress-record",
    ),
    path(
        "trainers/certifications/<int:pk>/expiry/",
        views.CertificationExpiryView.as_view(),
        name="certification-expiry",
    ),
    path("trainers/t3/", views.T3PipelineView.as_view(), name="t3-pipeline"),
    path("trainers/t3/programmes/", views.T3ProgrammeListView.as_view(), name="t3-programme-list"),
    path(
        "trainers/t3/programmes/new/",
        views.T3ProgrammeCreateView.as_view(),
        name="t3-programme-create",
    ),
    path(
        "trainers/t3/programmes/<int:pk>/",
        views.T3ProgrammeEditView.as_view(),
        name="t3-programme-edit",
    ),
    path(
        "trainers/t3/programmes/<int:pk>/requirements/new/",
        views.T3RequirementCreateView.as_view(),
        name="t3-requirement-create",
    ),
    path(
        "trainers/t3/requirements/<int:pk>/",
        views.T3RequirementEditView.as_view(),
        name="t3-requirement-edit",
    ),
    path(
        "trainers/t3/requirements/<int:pk>/move/",
        views.T3RequirementMoveView.as_view(),
        name="t3-requirement-move",
    ),
]

# --- Support, wellbeing and privacy ---
support_patterns: list = [
    path("trainers/<int:pk>/private/", views.PrivateDetailView.as_view(), name="private-detail"),
    path("me/check-ins/", views.MyCheckInListView.as_view(), name="checkin-list-mine"),
    path("me/check-ins/new/", views.CheckInCreateView.as_view(), name="checkin-create"),
    path("trainers/<int:pk>/check-ins/", views.CheckInListView.as_view(), name="checkin-list"),
    path("check-ins/<int:pk>/", views.CheckInDetailView.as_view(), name="checkin-detail"),
    path("me/support/", views.MySupportSessionListView.as_view(), name="support-list-mine"),
    path("me/supporting/", views.SupportingListView.as_view(), name="supporting-list"),
    path("trainers/<int:pk>/support/", views.SupportSessionListView.as_view(), name="support-list"),
    path(
        "trainers/<int:pk>/support/new/",
        views.SupportSessionCreateView.as_view(),
        name="support-create",
    ),
    path("support/<int:pk>/", views.SupportSessionDetailView.as_view(), name="support-detail"),
]

urlpatterns = recruitment_patterns + profile_patterns + support_patterns
