"""Permission-matrix rows for trainers: recruitment, profiles and T3, support and privacy.

See tests/permissions.py for what a row says; tests/test_permission_matrix.py runs them."""

from tests.permissions import ROLES, Row, only
from tests.trainers.factories import (
    ApplicationFactory,
    CertificationFactory,
    RoleDescriptionFactory,
    SupportSessionFactory,
    T3ProgrammeFactory,
    T3RequirementFactory,
    TrainerFactory,
    WellbeingCheckInFactory,
    published_role_description,
)

ROWS: list[Row] = [
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
]
