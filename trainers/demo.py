"""Demo data for trainers: a published role description, a Train the Trainer programme, the demo
trainer part-way through it with the demo coordinator as supporter, and one new application."""

from datetime import timedelta

from django.utils import timezone

from people.models import Region, User
from trainers.models import (
    Application,
    Involvement,
    RoleDescription,
    T3Programme,
    T3Progress,
    Trainer,
)
from trainers.services import (
    application_submit,
    role_description_create,
    role_description_publish,
    t3_programme_create,
    t3_progress_record,
    t3_requirement_add,
    trainer_assign,
)

REQUIREMENTS = [
    "Attend the Train the Trainer course",
    "Shadow a session",
    "Co-deliver a session",
    "Sign-off by supporter",
]


def seed_trainers() -> None:
    coordinator = User.objects.get(email="coordinator@example.org")
    role = RoleDescription.objects.filter(status=RoleDescription.Status.PUBLISHED).first()
    if role is None:
        role = role_description_publish(
            role_description=role_description_create(
                title="Service-user trainer",
                purpose="Help mental health staff learn from lived experience of mental distress.",
                involves="Designing courses with staff, co-delivering sessions, evaluating them.",
                time_commitment="Usually one or two half-day sessions a month; you choose.",
                support_offered="A named supporter, one-to-one support and a debrief after "
                "every session you deliver.",
                payment_policy="A fee for each session plus travel expenses, or expenses only, "
                "or no payment: your choice.",
                by=coordinator,
            ),
            by=coordinator,
        )
    programme = T3Programme.objects.filter(name="Train the Trainer").first()
    if programme is None:
        programme = t3_programme_create(name="Train the Trainer", certification_months=24)
        for title in REQUIREMENTS:
            t3_requirement_add(programme=programme, title=title)

    user = User.objects.get(email="trainer@example.org")
    trainer = Trainer.objects.filter(user=user).first()
    if trainer is None:
        # The demo trainer has no application: created directly, as an import would.
        trainer = Trainer.objects.create(
            user=user,
            region=Region.objects.get(name="Manchester"),
            role_description=role,
            involvement=[Involvement.CO_DESIGN, Involvement.CO_DELIVER],
        )
        trainer_assign(trainer=trainer, supporter=coordinator, programme=programme, by=coordinator)
    first = programme.requirements.first()
    if (
        first is not None
        and not T3Progress.objects.filter(trainer=trainer, requirement=first).exists()
    ):
        t3_progress_record(
            trainer=trainer,
            requirement=first,
            completed_on=timezone.localdate() - timedelta(days=14),
            evidence="Attended the two-day course in Manchester.",
            by=coordinator,
        )

    if not Application.objects.exists():
        application_submit(
            role_description=role,
            full_name="Jordan Applicant",
            email="applicant@example.org",
            region=Region.objects.get(name="London"),
            involvement=[Involvement.CO_DELIVER],
            consent=True,
        )
