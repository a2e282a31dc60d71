"""Permission-matrix rows for sessions: courses, venues, scheduling, registrations, feeds.

See tests/permissions.py for what a row says; tests/test_permission_matrix.py runs them."""

from sessions.models import CalendarFeed
from tests.permissions import ROLES, Row, only
from tests.sessions.factories import (
    ActivityFactory,
    CourseVersionFactory,
    LearningOutcomeFactory,
    RegistrationFactory,
    RoomFactory,
    SessionCostFactory,
    TrainerAssignmentFactory,
    TrainingSessionFactory,
    VenueFactory,
)

ROWS: list[Row] = [
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
]
