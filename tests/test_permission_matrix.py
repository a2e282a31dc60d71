"""Who gets what at every URL that takes an object id or token.

Each route with a parameter has a row: how to build a real URL, and for each role what comes
back. The meta-test at the bottom fails when a route with a parameter has no row, so every new
route must be added here. The Django admin is covered as a whole: every parameterised admin
route, for every role but admin, must send the visitor to the admin's sign-in page.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from evaluations.models import CourseReview
from evaluations.services import form_copy
from notifications.models import Notification
from people.models import Role
from sessions.models import CalendarFeed
from tests.evaluations.response_helpers import (
    delivered_session,
    expired_invitation,
    invitation_for,
    used_invitation,
)
from tests.factories import (
    ActivityFactory,
    ApplicationFactory,
    CertificationFactory,
    CourseVersionFactory,
    LearningOutcomeFactory,
    RegistrationFactory,
    RoleDescriptionFactory,
    RoomFactory,
    SessionCostFactory,
    SupportSessionFactory,
    T3ProgrammeFactory,
    T3RequirementFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    VenueFactory,
    WellbeingCheckInFactory,
    published_role_description,
    responses_for,
    standard_form,
)

ROLES = ("visitor", "trainer_a", "trainer_b", "team_lead", "coordinator", "manager", "admin")
SIGN_IN = "sign-in"  # a redirect to the site's sign-in page
ADMIN_SIGN_IN = "admin-sign-in"  # a redirect to the Django admin's sign-in page


@pytest.fixture
def people(db) -> dict:
    return {
        "visitor": None,
        "trainer_a": UserFactory(email="trainer.a@example.org", roles=[Role.TRAINER]),
        "trainer_b": UserFactory(email="trainer.b@example.org", roles=[Role.TRAINER]),
        "team_lead": UserFactory(email="lead@example.org", roles=[Role.TEAM_LEAD]),
        "coordinator": UserFactory(email="coord@example.org", roles=[Role.COORDINATOR]),
        "manager": UserFactory(email="manager@example.org", roles=[Role.MANAGER]),
        "admin": UserFactory(email="admin@example.org", is_superuser=True),
    }


@dataclass(frozen=True)
class Row:
    route: str
    kwargs: Callable[[dict], dict]
    expect: dict[str, int | str]
    label: str = ""


def only(role: str, *, others: int | str = 403) -> dict[str, int | str]:
    return {r: (200 if r == role else SIGN_IN if r == "visitor" else others) for r in ROLES}


MATRIX: list[Row] = [
    # Coordinators and trainers start at their real pages now; their placeholders are gone.
    Row(
        "people:start", lambda p: {"role": "coordinator"}, dict.fromkeys(ROLES, 404), "coordinator"
    ),
    Row("people:start", lambda p: {"role": "trainer"}, dict.fromkeys(ROLES, 404), "trainer"),
    Row("people:start", lambda p: {"role": "team_lead"}, only("team_lead"), "team lead"),
    Row("people:start", lambda p: {"role": "manager"}, only("manager"), "manager"),
    Row(
        "people:start",
        lambda p: {"role": "nobody"},
        dict.fromkeys(ROLES, 404),
        "unknown role",
    ),
    # A reset link is its own credential; a tampered one shows everyone the same "no longer
    # works" page and never the form.
    Row(
        "password_reset_confirm",
        lambda p: {
            "uidb64": urlsafe_base64_encode(force_bytes(p["trainer_a"].pk)),
            "token": "c9x1kz-0000000000000000000000000000",
        },
        dict.fromkeys(ROLES, 200),
        "tampered token",
    ),
    # --- Role descriptions and recruitment ---
    # The PDF of a published or retired version is public; a draft's is nobody's. Everything
    # else is for coordinators, admins included among the refused. POST-only routes answer a
    # coordinator's GET with 405.
    Row(
        "trainers:role-pdf",
        lambda p: {"version": published_role_description().version},
        dict.fromkeys(ROLES, 200),
        "published",
    ),
    Row(
        "trainers:role-pdf",
        lambda p: {"version": RoleDescriptionFactory(status="retired").version},
        dict.fromkeys(ROLES, 200),
        "retired",
    ),
    Row(
        "trainers:role-pdf",
        lambda p: {"version": RoleDescriptionFactory().version},
        dict.fromkeys(ROLES, 404),
        "draft",
    ),
    Row("trainers:role-detail", lambda p: {"pk": RoleDescriptionFactory().pk}, only("coordinator")),
    Row(
        "trainers:role-edit",
        lambda p: {"pk": RoleDescriptionFactory().pk},
        only("coordinator"),
        "draft",
    ),
    Row(
        "trainers:role-edit",
        lambda p: {"pk": published_role_description().pk},
        only("coordinator") | {"coordinator": 302},
        "published: shown, not edited",
    ),
    Row(
        "trainers:role-publish",
        lambda p: {"pk": RoleDescriptionFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "trainers:role-copy",
        lambda p: {"pk": published_role_description().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "trainers:application-detail",
        lambda p: {"pk": ApplicationFactory().pk},
        only("coordinator"),
    ),
    Row(
        "trainers:application-welcome-resend",
        lambda p: {"pk": ApplicationFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "trainers:application-delete",
        lambda p: {"pk": ApplicationFactory().pk},
        only("coordinator"),
    ),
    # --- Trainer profiles and Train the Trainer ---
    # Coordinators only; even a trainer opening the coordinators' page about themselves gets 403.
    # Routes that only take a POST answer a coordinator's GET with 405.
    Row(
        "trainers:trainer-detail",
        lambda p: {"pk": TrainerFactory().pk},
        only("coordinator"),
    ),
    Row(
        "trainers:trainer-detail",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"]).pk},
        only("coordinator"),
        "own profile",
    ),
    Row(
        "trainers:trainer-detail",
        lambda p: {"pk": 999999},
        only("coordinator") | {"coordinator": 404},
        "missing",
    ),
    Row(
        "trainers:trainer-assign",
        lambda p: {"pk": TrainerFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "trainers:trainer-progress-record",
        lambda p: {"pk": TrainerFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "trainers:certification-expiry",
        lambda p: {"pk": CertificationFactory(trainer__user=p["trainer_a"]).pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "trainers:t3-programme-edit",
        lambda p: {"pk": T3ProgrammeFactory().pk},
        only("coordinator"),
    ),
    Row(
        "trainers:t3-requirement-create",
        lambda p: {"pk": T3ProgrammeFactory().pk},
        only("coordinator"),
    ),
    Row(
        "trainers:t3-requirement-edit",
        lambda p: {"pk": T3RequirementFactory().pk},
        only("coordinator"),
    ),
    Row(
        "trainers:t3-requirement-move",
        lambda p: {"pk": T3RequirementFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    # --- Support, wellbeing and privacy ---
    # Private to the trainer (trainer_a) and their named supporter (the coordinator); a 404 for
    # everyone else, admins included, so nobody learns the notes exist.
    Row(
        "trainers:private-detail",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"], supporter=p["coordinator"]).pk},
        only("trainer_a", others=404) | {"coordinator": 200},
    ),
    Row(
        "trainers:checkin-list",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"], supporter=p["coordinator"]).pk},
        only("trainer_a", others=404) | {"coordinator": 200},
    ),
    Row(
        "trainers:checkin-detail",
        lambda p: {
            "pk": WellbeingCheckInFactory(
                trainer=TrainerFactory(user=p["trainer_a"], supporter=p["coordinator"])
            ).pk
        },
        only("trainer_a", others=404) | {"coordinator": 200},
    ),
    Row(
        "trainers:support-list",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"], supporter=p["coordinator"]).pk},
        only("trainer_a", others=404) | {"coordinator": 200},
    ),
    Row(
        "trainers:support-detail",
        lambda p: {
            "pk": SupportSessionFactory(
                trainer=TrainerFactory(user=p["trainer_a"], supporter=p["coordinator"])
            ).pk
        },
        only("trainer_a", others=404) | {"coordinator": 200},
    ),
    # Only the supporter records a support session, not the trainer themselves.
    Row(
        "trainers:support-create",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"], supporter=p["coordinator"]).pk},
        only("coordinator", others=404),
    ),
    # --- Sessions: courses and venues ---
    # Coordinators only, admins included among the refused; the handbook PDF is also for every
    # trainer. Pages that change a version show a pilot or published one instead (302).
    # POST-only routes answer a coordinator's GET with 405.
    Row(
        "sessions:course-version-detail",
        lambda p: {"pk": CourseVersionFactory().pk},
        only("coordinator"),
    ),
    Row(
        "sessions:course-version-detail",
        lambda p: {"pk": 999999},
        only("coordinator") | {"coordinator": 404},
        "missing",
    ),
    Row(
        "sessions:course-version-edit",
        lambda p: {"pk": CourseVersionFactory(status="draft").pk},
        only("coordinator"),
        "draft",
    ),
    Row(
        "sessions:course-version-edit",
        lambda p: {"pk": CourseVersionFactory().pk},
        only("coordinator") | {"coordinator": 302},
        "published: shown, not edited",
    ),
    Row(
        "sessions:course-version-pilot",
        lambda p: {"pk": CourseVersionFactory(status="draft").pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:course-version-publish",
        lambda p: {"pk": CourseVersionFactory(status="draft").pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:course-version-copy",
        lambda p: {"pk": CourseVersionFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:course-version-handbook",
        lambda p: {"pk": CourseVersionFactory().pk},
        only("coordinator") | {"trainer_a": 200, "trainer_b": 200},
    ),
    Row(
        "sessions:course-version-handbook",
        lambda p: {"pk": 999999},
        only("coordinator", others=403) | {"coordinator": 404, "trainer_a": 404, "trainer_b": 404},
        "missing",
    ),
    Row(
        "sessions:outcome-create",
        lambda p: {"pk": CourseVersionFactory(status="draft").pk},
        only("coordinator"),
    ),
    Row(
        "sessions:outcome-edit",
        lambda p: {"pk": LearningOutcomeFactory(version__status="draft").pk},
        only("coordinator"),
    ),
    Row(
        "sessions:outcome-delete",
        lambda p: {"pk": LearningOutcomeFactory(version__status="draft").pk},
        only("coordinator"),
    ),
    Row(
        "sessions:outcome-move",
        lambda p: {"pk": LearningOutcomeFactory(version__status="draft").pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:activity-create",
        lambda p: {"pk": LearningOutcomeFactory(version__status="draft").pk},
        only("coordinator"),
    ),
    Row(
        "sessions:activity-edit",
        lambda p: {"pk": ActivityFactory(outcome__version__status="draft").pk},
        only("coordinator"),
    ),
    Row(
        "sessions:activity-delete",
        lambda p: {"pk": ActivityFactory(outcome__version__status="draft").pk},
        only("coordinator"),
    ),
    Row(
        "sessions:activity-move",
        lambda p: {"pk": ActivityFactory(outcome__version__status="draft").pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row("sessions:venue-detail", lambda p: {"pk": VenueFactory().pk}, only("coordinator")),
    Row(
        "sessions:venue-detail",
        lambda p: {"pk": 999999},
        only("coordinator") | {"coordinator": 404},
        "missing",
    ),
    Row("sessions:venue-edit", lambda p: {"pk": VenueFactory().pk}, only("coordinator")),
    Row("sessions:room-create", lambda p: {"pk": VenueFactory().pk}, only("coordinator")),
    Row("sessions:room-edit", lambda p: {"pk": RoomFactory().pk}, only("coordinator")),
    Row("sessions:room-delete", lambda p: {"pk": RoomFactory().pk}, only("coordinator")),
    # --- Sessions: scheduling and trainers ---
    # Session pages are for coordinators, admins included among the refused; POST-only routes
    # answer a coordinator's GET with 405. An invitation's emailed link is its own credential:
    # whoever holds it sees the confirmation page (only a POST answers), signed in or not; an
    # unknown token is a 404 for everyone. Answering from "My sessions" is POST-only, so every
    # signed-in GET is a 405 (a POST to someone else's is a 404: tests/sessions/test_assignments).
    Row(
        "sessions:session-detail",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator"),
    ),
    Row(
        "sessions:session-detail",
        lambda p: {"pk": 999999},
        only("coordinator") | {"coordinator": 404},
        "missing",
    ),
    Row(
        "sessions:session-edit",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator"),
    ),
    Row(
        "sessions:session-cancel",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator"),
    ),
    Row(
        "sessions:session-confirm",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:assignment-invite",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:assignment-withdraw",
        lambda p: {"pk": TrainerAssignmentFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:invitation-accept",
        lambda p: {"token": TrainerAssignmentFactory(user=p["trainer_a"]).token},
        dict.fromkeys(ROLES, 200),
    ),
    Row(
        "sessions:invitation-decline",
        lambda p: {"token": TrainerAssignmentFactory(user=p["trainer_a"]).token},
        dict.fromkeys(ROLES, 200),
    ),
    Row(
        "sessions:invitation-accept",
        lambda p: {"token": "no-such-invitation"},
        dict.fromkeys(ROLES, 404),
        "unknown token",
    ),
    Row(
        "sessions:my-assignment-accept",
        lambda p: {"pk": TrainerAssignmentFactory(user=p["trainer_a"]).pk},
        only("trainer_a", others=405) | {"trainer_a": 405},
    ),
    Row(
        "sessions:my-assignment-decline",
        lambda p: {"pk": TrainerAssignmentFactory(user=p["trainer_a"]).pk},
        only("trainer_a", others=405) | {"trainer_a": 405},
    ),
    Row(
        "sessions:my-assignment-withdraw",
        lambda p: {"pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").pk},
        only("trainer_a", others=405) | {"trainer_a": 405},
    ),
    # --- Sessions: registrations and attendance ---
    # Registrations and costs are for coordinators. The register, the check-in display and the
    # session pack are for coordinators and the session's delivery team (here trainer_a, who
    # accepted the lead); the delivery report for coordinators and the lead or co-trainers.
    # Another trainer gets a 404; other roles, admins included, a 403. POST-only routes answer a
    # coordinator's GET with 405. A learner's links (the registration page, their own cancel
    # link, the check-in code) are their own credential: every role, and nobody, gets the same
    # answer, and an unknown one is a 404.
    Row(
        "sessions:registration-list",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator"),
    ),
    Row(
        "sessions:registration-list",
        lambda p: {"pk": 999999},
        only("coordinator") | {"coordinator": 404},
        "missing",
    ),
    Row(
        "sessions:registration-add-existing",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:registration-cancel",
        lambda p: {
            "pk": (registration := RegistrationFactory()).session_id,
            "registration_pk": registration.pk,
        },
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:register",
        lambda p: {"token": TrainingSessionFactory().registration_token},
        dict.fromkeys(ROLES, 200),
    ),
    Row(
        "sessions:register",
        lambda p: {"token": "no-such-session"},
        dict.fromkeys(ROLES, 404),
        "unknown token",
    ),
    Row(
        "sessions:register-done",
        lambda p: {"token": TrainingSessionFactory().registration_token},
        dict.fromkeys(ROLES, 200),
    ),
    Row(
        "sessions:registration-self-cancel",
        lambda p: {"token": RegistrationFactory().token},
        dict.fromkeys(ROLES, 200),
    ),
    Row(
        "sessions:registration-self-cancel",
        lambda p: {"token": "no-such-registration"},
        dict.fromkeys(ROLES, 404),
        "unknown token",
    ),
    Row(
        "sessions:checkin",
        lambda p: {"code": TrainingSessionFactory().check_in_code},
        dict.fromkeys(ROLES, 200),
    ),
    Row(
        "sessions:checkin",
        lambda p: {"code": "NOSUCH23"},
        dict.fromkeys(ROLES, 404),
        "unknown code",
    ),
    Row(
        "sessions:attendance",
        lambda p: {
            "pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session_id
        },
        only("coordinator") | {"trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "sessions:attendance",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], role="shadowing", status="accepted"
            ).session_id
        },
        only("coordinator") | {"trainer_a": 404, "trainer_b": 404},
        "shadowing",
    ),
    Row(
        "sessions:checkin-display",
        lambda p: {
            "pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session_id
        },
        only("coordinator") | {"trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "sessions:session-pack",
        lambda p: {
            "pk": TrainerAssignmentFactory(user=p["trainer_a"], status="accepted").session_id
        },
        only("coordinator") | {"trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "sessions:delivery-report",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], role="co_trainer", status="accepted"
            ).session_id
        },
        only("coordinator") | {"trainer_a": 200, "trainer_b": 404},
    ),
    Row(
        "sessions:delivery-report",
        lambda p: {
            "pk": TrainerAssignmentFactory(
                user=p["trainer_a"], role="staff", status="accepted"
            ).session_id
        },
        only("coordinator") | {"trainer_a": 404, "trainer_b": 404},
        "staff co-facilitator",
    ),
    Row(
        "sessions:session-costs",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator"),
    ),
    Row(
        "sessions:session-cost-room-hire",
        lambda p: {"pk": TrainingSessionFactory().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "sessions:session-cost-remove",
        lambda p: {"pk": (cost := SessionCostFactory()).session_id, "cost_pk": cost.pk},
        only("coordinator") | {"coordinator": 405},
    ),
    # --- Sessions: calendar feeds and imports ---
    # A calendar app fetches a feed without signing in: the secret address is the credential, so
    # every role (and nobody) gets the same answer. A replaced or unknown address is a 404, and so
    # is the address of someone no longer a trainer or coordinator.
    Row(
        "sessions:calendar-feed",
        lambda p: {"token": CalendarFeed.objects.create(user=p["trainer_a"]).token},
        dict.fromkeys(ROLES, 200),
        "current address",
    ),
    Row(
        "sessions:calendar-feed",
        lambda p: {"token": "no-such-calendar-address"},
        dict.fromkeys(ROLES, 404),
        "unknown address (a replaced one is unknown)",
    ),
    Row(
        "sessions:calendar-feed",
        lambda p: {"token": CalendarFeed.objects.create(user=p["team_lead"]).token},
        dict.fromkeys(ROLES, 404),
        "not a trainer or coordinator",
    ),
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
        lambda p: {"pk": form_copy(form=standard_form()).sections.first().pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:section-delete",
        lambda p: {"pk": form_copy(form=standard_form()).sections.first().pk},
        only("coordinator"),
        "draft",
    ),
    Row(
        "evaluations:section-delete",
        lambda p: {"pk": standard_form().sections.first().pk},
        only("coordinator") | {"coordinator": 302},
        "published: shown, not removed",
    ),
    Row(
        "evaluations:section-move",
        lambda p: {"pk": form_copy(form=standard_form()).sections.first().pk},
        only("coordinator") | {"coordinator": 405},
    ),
    Row(
        "evaluations:question-create",
        lambda p: {"pk": form_copy(form=standard_form()).sections.first().pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:question-edit",
        lambda p: {"pk": form_copy(form=standard_form()).sections.first().questions.first().pk},
        only("coordinator"),
        "draft",
    ),
    Row(
        "evaluations:question-edit",
        lambda p: {"pk": standard_form().sections.first().questions.first().pk},
        only("coordinator") | {"coordinator": 302},
        "published: shown, not edited",
    ),
    Row(
        "evaluations:question-delete",
        lambda p: {"pk": form_copy(form=standard_form()).sections.first().questions.first().pk},
        only("coordinator"),
    ),
    Row(
        "evaluations:question-move",
        lambda p: {"pk": form_copy(form=standard_form()).sections.first().questions.first().pk},
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
    # --- Notifications ---
    # Re-sending a failed email is a coordinator's POST; a GET is refused.
    Row(
        "notifications:resend",
        lambda p: {
            "pk": Notification.objects.create(
                key="matrix-failed",
                kind="k",
                recipient_email="learner@example.org",
                subject="s",
                template="t",
                due_at="2026-01-05T09:00:00Z",
                status=Notification.Status.FAILED,
            ).pk
        },
        only("coordinator") | {"coordinator": 405},
    ),
]


def client_for(client, people: dict, role: str):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def outcome(response) -> int | str:
    if response.status_code == 302:
        if response.url.startswith("/admin/login/"):
            return ADMIN_SIGN_IN
        if response.url.startswith(reverse("login")):
            return SIGN_IN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.route}[{row.label}]")
def test_each_role_gets_what_the_matrix_says(client, people, row, role):
    url = reverse(row.route, kwargs=row.kwargs(people))

    response = client_for(client, people, role).get(url)

    assert outcome(response) == row.expect[role], url


def test_a_tampered_reset_link_never_shows_the_form(client, people):
    row = next(r for r in MATRIX if r.route == "password_reset_confirm")

    response = client.get(reverse(row.route, kwargs=row.kwargs(people)), follow=True)

    assert "new_password1" not in response.content.decode()


def routes_with_parameters(resolver=None, prefix="", namespace="") -> list[tuple[str, str, str]]:
    """(namespace, name, route) of every route that takes a parameter, through every include."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += routes_with_parameters(entry, route, inner)
        elif isinstance(entry, URLPattern) and ("<" in route or "(?P" in route):
            name = f"{namespace}{entry.name}" if entry.name else ""
            found.append((namespace, name, route))
    return found


ADMIN_ROUTES = [route for ns, _, route in routes_with_parameters() if ns.startswith("admin:")]
ADMIN_VALUES = {"app_label": "people", "content_type_id": "1"}


def admin_url(route: str) -> str:
    """A concrete URL for an admin route: each parameter gets a plausible value."""
    url = re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: ADMIN_VALUES.get(m.group(1), "1"), route.lstrip("^")
    )
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: ADMIN_VALUES.get(m.group(1), "x"), url)
    return "/" + url.replace("^", "").rstrip("$")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
@pytest.mark.parametrize("route", ADMIN_ROUTES)
def test_only_admins_reach_the_django_admins_object_pages(client, people, route, role):
    url = admin_url(route)

    response = client_for(client, people, role).get(url)

    assert outcome(response) == ADMIN_SIGN_IN, url


def test_an_admin_reaches_the_admins_object_pages(client, people):
    user_pages = [route for route in ADMIN_ROUTES if route.startswith("admin/people/user/")]
    client_for(client, people, "admin")

    for route in user_pages:
        url = admin_url(route).replace("/1/", f"/{people['trainer_a'].pk}/")
        assert client.get(url, follow=True).status_code == 200, url


def uncovered_routes() -> list[str]:
    covered = {row.route for row in MATRIX}
    return [
        f"{name or '(unnamed)'} at {route}"
        for namespace, name, route in routes_with_parameters()
        if not namespace.startswith("admin:") and name not in covered
    ]


def test_every_route_with_an_id_or_token_is_in_the_matrix():
    missing = uncovered_routes()

    assert not missing, "Add these routes to MATRIX in tests/test_permission_matrix.py: " + (
        ", ".join(missing)
    )


def _new_view(request, claim_id):
    raise AssertionError("never called")


urlpatterns = [
    path("claims/<int:claim_id>/", _new_view, name="claim-detail"),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_the_meta_test_catches_a_new_route_that_is_not_in_the_matrix():
    assert uncovered_routes() == ["claim-detail at claims/<int:claim_id>/"]


def test_the_meta_test_sees_parameterised_routes():
    names = {name for _, name, _ in routes_with_parameters()}

    assert {"people:start", "password_reset_confirm"} <= names
    assert ADMIN_ROUTES
