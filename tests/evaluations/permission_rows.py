"""Permission-matrix rows for evaluations: the form, responses, results, documents.

See tests/permissions.py for what a row says; tests/test_permission_matrix.py runs them."""

from evaluations.models import CourseReview, EvaluationForm, Question, Section
from evaluations.services import form_copy
from tests.evaluations.factories import responses_for, standard_form
from tests.evaluations.response_helpers import (
    delivered_session,
    expired_invitation,
    invitation_for,
    used_invitation,
)
from tests.permissions import ROLES, Row, only
from tests.sessions.factories import (
    CourseVersionFactory,
    TrainerAssignmentFactory,
)


def first_section(form: EvaluationForm) -> Section:
    """The form's first section (every form these rows open has one)."""
    section = form.sections.first()
    assert section is not None, form
    return section


def first_question(form: EvaluationForm) -> Question:
    """The first question of the form's first section."""
    question = first_section(form).questions.first()
    assert question is not None, form
    return question


ROWS: list[Row] = [
    # --- Evaluations: the form ---
    # Coordinators only; ids never reveal anything to others (403 before any lookup). A
    # published version's change pages send the coordinator to the version instead; POST-only
    # routes answer a coordinator's GET with 405.
    Row("evaluations:form-detail", lambda p: {"pk": standard_form().pk}, only("coordinator")),
    Row(
        "evaluations:form-edit",
        lambda p: {"pk": form_copy(form=standard_form()).pk},
        only("coordinator"),
        "draft",
    ),
    Row(
        "evaluations:form-edit",
        lambda p: {"pk": standard_form().pk},
        only("coordinator") | {"coordinator": 302},
        "published: shown, not edited",
    ),
    Row(
        "evaluations:form-publish",
        lambda p: {"pk": form_copy(form=standard_form()).pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "evaluations:form-copy",
        lambda p: {"pk": standard_form().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "evaluations:section-create",
        lambda p: {"pk": form_copy(form=standard_form()).pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:section-edit",
        lambda p: {"pk": first_section(form_copy(form=standard_form())).pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:section-delete",
        lambda p: {"pk": first_section(form_copy(form=standard_form())).pk},
        only("coordinator"),
        "draft",
    ),
    Row(
        "evaluations:section-delete",
        lambda p: {"pk": first_section(standard_form()).pk},
        only("coordinator") | {"coordinator": 302},
        "published: shown, not removed",
    ),
    Row(
        "evaluations:section-move",
        lambda p: {"pk": first_section(form_copy(form=standard_form())).pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "evaluations:question-create",
        lambda p: {"pk": first_section(form_copy(form=standard_form())).pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:question-edit",
        lambda p: {"pk": first_question(form_copy(form=standard_form())).pk},
        only("coordinator"),
        "draft",
    ),
    Row(
        "evaluations:question-edit",
        lambda p: {"pk": first_question(standard_form()).pk},
        only("coordinator") | {"coordinator": 302},
        "published: shown, not edited",
    ),
    Row(
        "evaluations:question-delete",
        lambda p: {"pk": first_question(form_copy(form=standard_form())).pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:question-move",
        lambda p: {"pk": first_question(form_copy(form=standard_form())).pk},
        only("coordinator") | {"coordinator": 405},
    ),
    # --- Evaluations: invitations and responses ---
    # A learner's link is its own credential, so every role (and nobody) gets the same answer:
    # the form, the polite "already" page for a used link, 410 for an expired one and a helpful
    # 404 for an unknown one. The session's feedback page is for coordinators only.
    Row(
        "evaluations:respond",
        lambda p: {"token": invitation_for().token},
        dict.fromkeys(ROLES, 200),
        "new",
    ),
    Row(
        "evaluations:respond",
        lambda p: {"token": used_invitation().token},
        dict.fromkeys(ROLES, 200),
        "used",
    ),
    Row(
        "evaluations:respond",
        lambda p: {"token": expired_invitation().token},
        dict.fromkeys(ROLES, 410),
        "expired",
    ),
    Row(
        "evaluations:respond",
        lambda p: {"token": "no-such-feedback-link"},
        dict.fromkeys(ROLES, 404),
        "unknown",
    ),
    Row(
        "evaluations:respond-thanks",
        lambda p: {"token": used_invitation().token},
        dict.fromkeys(ROLES, 200),
        "used",
    ),
    Row(
        "evaluations:respond-thanks",
        lambda p: {"token": invitation_for().token},
        dict.fromkeys(ROLES, 302),
        "not used yet",
    ),
    Row(
        "evaluations:respond-thanks",
        lambda p: {"token": "no-such-feedback-link"},
        dict.fromkeys(ROLES, 404),
        "unknown",
    ),
    Row(
        "evaluations:respond-short-link",
        lambda p: {"code": delivered_session().check_in_code},
        dict.fromkeys(ROLES, 200),
        "known",
    ),
    Row(
        "evaluations:respond-short-link",
        lambda p: {"code": "NOSUCHCODE"},
        dict.fromkeys(ROLES, 404),
        "unknown",
    ),
    Row(
        "evaluations:session-evaluation",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], status="accepted", session=delivered_session()
            ).session_id
        },
        only("coordinator"),
    ),
    Row(
        "evaluations:session-evaluation-chase",
        lambda p: {"pk": delivered_session().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    # --- Evaluations: results ---
    # Coordinators and managers see every result; the session's delivery team (trainer_a, an
    # accepted lead) see its numbers, another trainer gets a 404; team leads and admins without
    # a role are refused. Only coordinators release or hide comments; coordinators and managers
    # export. The release is POST-only: a coordinator's GET is a 405.
    Row(
        "evaluations:results-session",
        lambda p: {
            "pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session_id
        },
        only("coordinator") | {"manager": 200, "trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "evaluations:results-session",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], role="shadowing", status="accepted"
            ).session_id
        },
        only("coordinator") | {"manager": 200, "trainer_a": 404, "trainer_b": 404},
        "shadowing",
    ),
    Row(
        "evaluations:results-session",
        lambda p: {"pk": 999999},
        only("coordinator")
        | {"coordinator": 404, "manager": 404, "trainer_a": 404, "trainer_b": 404},
        "missing",
    ),
    Row(
        "evaluations:results-session-release",
        lambda p: {
            "pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session_id
        },
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "evaluations:results-session-csv",
        lambda p: {
            "pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session_id
        },
        only("coordinator") | {"manager": 200},
    ),
    Row(
        "evaluations:results-course-version",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], status="accepted"
            ).session.course_version_id
        },
        only("coordinator") | {"manager": 200, "trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "evaluations:results-course-version-csv",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], status="accepted"
            ).session.course_version_id
        },
        only("coordinator") | {"manager": 200},
    ),
    Row(
        "evaluations:results-comment-hide",
        lambda p: {
            "pk": responses_for(  # 5: a comment from fewer responses is a 404 for everyone
                TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session,
                5,
                answers={"most_useful": "Helpful"},
            )[0]
            .answers.get(question__key="most_useful")
            .pk
        },
        only("coordinator"),
    ),
    Row(
        "evaluations:results-comment-hide",
        lambda p: {"pk": 999999},
        only("coordinator") | {"coordinator": 404},
        "missing",
    ),
    # --- Evaluations: documents ---
    # The session report: coordinators and managers, and the session's delivery team (trainer_a)
    # without names; another trainer a 404; team leads and admins a 403. The certificates zip is
    # for coordinators. A learner's certificate goes to whoever holds the link of an attendee.
    Row(
        "evaluations:document-session-report",
        lambda p: {
            "pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session_id
        },
        only("coordinator") | {"manager": 200, "trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "evaluations:document-certificates-zip",
        lambda p: {"pk": delivered_session().pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:document-certificate",
        lambda p: {"token": used_invitation().token},
        dict.fromkeys(ROLES, 200),
        "used",
    ),
    Row(
        "evaluations:document-certificate",
        lambda p: {"token": "no-such-feedback-link"},
        dict.fromkeys(ROLES, 404),
        "unknown",
    ),
    # --- Evaluations: course review ---
    # Coordinators, managers (read only) and the trainers who delivered the version (trainer_a)
    # open the review page; another trainer a 404; team leads and admins a 403. Only
    # coordinators start the next version from a review, by POST.
    Row(
        "evaluations:review-course-version",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], status="accepted", session__status="delivered"
            ).session.course_version_id
        },
        only("coordinator") | {"manager": 200, "trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "evaluations:review-course-version",
        lambda p: {"pk": 999999},
        only("coordinator")
        | {"coordinator": 404, "manager": 404, "trainer_a": 404, "trainer_b": 404},
        "missing",
    ),
    Row(
        "evaluations:review-next-version",
        lambda p: {
            "pk": CourseReview.objects.create(
                course_version=CourseVersionFactory(),
                held_on="2026-01-05",
                findings="Found",
                decisions="Decided",
            ).pk
        },
        only("coordinator") | {"coordinator": 405},
    ),
]
