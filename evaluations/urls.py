from django.urls import path

from evaluations import views

app_name = "evaluations"

# --- The form ---
form_patterns: list = [
    path("evaluations/forms/", views.FormListView.as_view(), name="form-list"),
    path("evaluations/forms/<int:pk>/", views.FormDetailView.as_view(), name="form-detail"),
    path("evaluations/forms/<int:pk>/edit/", views.FormEditView.as_view(), name="form-edit"),
    path(
        "evaluations/forms/<int:pk>/publish/", views.FormPublishView.as_view(), name="form-publish"
    ),
    path("evaluations/forms/<int:pk>/new-version/", views.FormCopyView.as_view(), name="form-copy"),
    path(
        "evaluations/forms/<int:pk>/sections/new/",
        views.SectionCreateView.as_view(),
        name="section-create",
    ),
    path(
        "evaluations/sections/<int:pk>/edit/", views.SectionEditView.as_view(), name="section-edit"
    ),
    path(
        "evaluations/sections/<int:pk>/remove/",
        views.SectionDeleteView.as_view(),
        name="section-delete",
    ),
    path(
        "evaluations/sections/<int:pk>/move/", views.SectionMoveView.as_view(), name="section-move"
    ),
    path(
        "evaluations/sections/<int:pk>/questions/new/",
        views.QuestionCreateView.as_view(),
        name="question-create",
    ),
    path(
        "evaluations/questions/<int:pk>/edit/",
        views.QuestionEditView.as_view(),
        name="question-edit",
    ),
    path(
        "evaluations/questions/<int:pk>/remove/",
        views.QuestionDeleteView.as_view(),
        name="question-delete",
    ),
    path(
        "evaluations/questions/<int:pk>/move/",
        views.QuestionMoveView.as_view(),
        name="question-move",
    ),
]

# --- Invitations and responses ---
response_patterns: list = [
    path(
        "evaluate/s/<code:code>/",
        views.RespondShortLinkView.as_view(),
        name="respond-short-link",
    ),
    path("evaluate/<token:token>/", views.RespondView.as_view(), name="respond"),
    path(
        "evaluate/<token:token>/thanks/", views.RespondThanksView.as_view(), name="respond-thanks"
    ),
    path(
        "schedule/<int:pk>/evaluation/",
        views.SessionEvaluationView.as_view(),
        name="session-evaluation",
    ),
    path(
        "schedule/<int:pk>/evaluation/chase/",
        views.SessionEvaluationChaseView.as_view(),
        name="session-evaluation-chase",
    ),
]

# --- Results ---
results_patterns: list = [
    path("schedule/<int:pk>/results/", views.SessionResultsView.as_view(), name="results-session"),
    path(
        "schedule/<int:pk>/results/release/",
        views.SessionCommentsReleaseView.as_view(),
        name="results-session-release",
    ),
    path(
        "schedule/<int:pk>/results/answers.csv",
        views.SessionAnswersCsvView.as_view(),
        name="results-session-csv",
    ),
    path(
        "courses/versions/<int:pk>/results/",
        views.CourseVersionResultsView.as_view(),
        name="results-course-version",
    ),
    path(
        "courses/versions/<int:pk>/results/answers.csv",
        views.CourseVersionAnswersCsvView.as_view(),
        name="results-course-version-csv",
    ),
    path("evaluations/results/", views.ResultsOverviewView.as_view(), name="results-overview"),
    path(
        "evaluations/comments/<int:pk>/hide/",
        views.CommentHideView.as_view(),
        name="results-comment-hide",
    ),
]

# --- Documents ---
document_patterns: list = [
    path(
        "schedule/<int:pk>/report.pdf",
        views.SessionReportPdfView.as_view(),
        name="document-session-report",
    ),
    path(
        "schedule/<int:pk>/certificates.zip",
        views.SessionCertificatesZipView.as_view(),
        name="document-certificates-zip",
    ),
    path(
        "evaluate/<token:token>/certificate.pdf",
        views.CertificateView.as_view(),
        name="document-certificate",
    ),
]

# --- Course review ---
review_patterns: list = [
    path(
        "courses/versions/<int:pk>/review/",
        views.CourseReviewView.as_view(),
        name="review-course-version",
    ),
    path(
        "courses/reviews/<int:pk>/next-version/",
        views.CourseReviewNextVersionView.as_view(),
        name="review-next-version",
    ),
]

urlpatterns = (
    form_patterns + response_patterns + results_patterns + document_patterns + review_patterns
)
