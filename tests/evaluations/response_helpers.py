"""Small helpers shared by the invitation, responding and concurrency tests."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from evaluations.models import EvaluationForm, Invitation, Question, Section
from evaluations.services import invitation_ensure
from sessions.models import Registration, TrainingSession
from tests.factories import RegistrationFactory, TrainingSessionFactory, standard_form


def delivered_session(**kwargs) -> TrainingSession:
    """A session that ended yesterday and is marked delivered (straight in the database)."""
    starts_at = timezone.now() - timedelta(days=1)
    return TrainingSessionFactory(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        status=TrainingSession.Status.DELIVERED,
        **kwargs,
    )


def invitation_for(
    session: TrainingSession | None = None, *, status: str = Registration.Status.ATTENDED, **kw
) -> Invitation:
    """An attendee of a delivered session and their invitation (and the published form)."""
    standard_form()
    registration = RegistrationFactory(session=session or delivered_session(), status=status, **kw)
    invitation = invitation_ensure(registration=registration)
    assert invitation is not None, registration.status
    return invitation


def respond_url(invitation: Invitation) -> str:
    return reverse("evaluations:respond", kwargs={"token": invitation.token})


def questions_of(form: EvaluationForm) -> list[Question]:
    return list(Question.objects.filter(section__form=form).order_by("section__order", "order"))


def question(key: str, form: EvaluationForm | None = None) -> Question:
    return Question.objects.get(section__form=form or standard_form(), key=key)


def course_questions(course) -> EvaluationForm:
    """A course's published extra questions: one choice, several choices, a short answer."""
    form = EvaluationForm.objects.create(
        course=course, version=1, title="Extra", status=EvaluationForm.Status.PUBLISHED
    )
    section = Section.objects.create(form=form, title="About this course", order=1)
    for order, (key, kind, choices, required) in enumerate(
        [
            ("best_part", Question.Kind.SINGLE, ["The stories", "The role play"], True),
            ("topics", Question.Kind.MULTIPLE, ["Voices", "Risk", "Recovery"], False),
            ("one_word", Question.Kind.SHORT_TEXT, [], False),
        ],
        start=1,
    ):
        Question.objects.create(
            section=section,
            key=key,
            text=f"Question {key}",
            kind=kind,
            choices=choices,
            required=required,
            order=order,
        )
    return form


def good_answers(*forms: EvaluationForm) -> dict[str, object]:
    """POST data answering every question of the forms well."""
    data: dict[str, object] = {}
    for form in forms or (standard_form(),):
        for q in questions_of(form):
            name = f"q_{q.pk}"
            if q.kind == Question.Kind.RATING:
                data[name] = "4" if q.key != "confidence_before" else "2"
            elif q.kind == Question.Kind.YES_NO:
                data[name] = "yes"
            elif q.kind == Question.Kind.SINGLE:
                data[name] = q.choices[0]
            elif q.kind == Question.Kind.MULTIPLE:
                data[name] = q.choices[:2]
            else:
                data[name] = f"Answer to {q.key}"
    return data


def service_answers(*forms: EvaluationForm) -> dict[int, object]:
    """The same good answers as the service takes them: question id → value."""
    values: dict[int, object] = {}
    for form in forms or (standard_form(),):
        for q in questions_of(form):
            by_kind: dict[str, object] = {
                Question.Kind.RATING: 4,
                Question.Kind.YES_NO: True,
                Question.Kind.SINGLE: (q.choices or [""])[0],
                Question.Kind.MULTIPLE: q.choices[:2],
            }
            values[q.pk] = by_kind.get(q.kind, f"Answer to {q.key}")
    return values


def used_invitation() -> Invitation:
    invitation = invitation_for()
    Invitation.objects.filter(pk=invitation.pk).update(used=True)
    return invitation


def expired_invitation() -> Invitation:
    invitation = invitation_for()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    return invitation
