"""Factories for evaluations: the standard form, course forms and responses."""

import factory
from django.db.models import Max
from django.utils import timezone

from evaluations.models import Answer, EvaluationForm, Question, Response
from sessions.models import TrainingSession
from tests.factory_base import ModelFactory
from tests.sessions.factories import TrainingSessionFactory

# The form


def standard_form() -> EvaluationForm:
    """The published standard form, seeded (version 1) if there is none yet."""
    from evaluations.services import standard_form_seed

    published = EvaluationForm.objects.filter(
        course=None, status=EvaluationForm.Status.PUBLISHED
    ).first()
    return published or standard_form_seed()


class EvaluationFormFactory(ModelFactory[EvaluationForm]):
    """The published standard form (seeded with its sections and questions), or the existing
    one. Pass `course=` for a course's own extra questions: an empty draft set."""

    class Meta:
        model = EvaluationForm

    title = "Session evaluation"

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> EvaluationForm:
        course = kwargs.get("course")
        if course is None:
            return standard_form()
        version = (
            model_class.objects.filter(course=course).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        kwargs.setdefault("status", model_class.Status.DRAFT)
        kwargs["version"] = version
        return model_class.objects.create(**kwargs)


# Results
# ResponseFactory() is an empty response to a new delivered session on the standard form.
# responses_for(session, n) makes n responses in bulk, each answering every rating with 4 and
# yes/no with yes; `ratings` / `answers` map a question key to one value for all, or to a list
# with one value per response (None: not answered). `keys` limits which questions are answered.


class ResponseFactory(ModelFactory[Response]):
    class Meta:
        model = Response

    session = factory.SubFactory(TrainingSessionFactory, status=TrainingSession.Status.DELIVERED)
    form = factory.LazyFunction(standard_form)
    submitted_on = factory.LazyFunction(timezone.localdate)


def responses_for(
    session: TrainingSession,
    n: int,
    *,
    ratings: dict | None = None,
    answers: dict | None = None,
    keys: tuple[str, ...] | None = None,
    form: EvaluationForm | None = None,
    course_form: EvaluationForm | None = None,
) -> list[Response]:
    """`n` responses to `session`, made with bulk_create in batches of 5,000."""
    form = form or standard_form()
    forms = [f for f in (form, course_form) if f is not None]
    questions = [
        q for q in Question.objects.filter(section__form__in=forms) if keys is None or q.key in keys
    ]
    given = {**(ratings or {}), **(answers or {})}
    defaults: dict[str, object] = {Question.Kind.RATING: 4, Question.Kind.YES_NO: True}
    today = timezone.localdate()
    responses = Response.objects.bulk_create(
        [
            Response(session=session, form=form, course_form=course_form, submitted_on=today)
            for _ in range(n)
        ],
        batch_size=5000,
    )
    rows = []
    for i, response in enumerate(responses):
        for question in questions:
            value = given.get(question.key, defaults.get(question.kind))
            if isinstance(value, list):
                value = value[i]
            if value is None:
                continue
            fields: dict[str, str] = {
                Question.Kind.RATING: "number",
                Question.Kind.YES_NO: "boolean",
                Question.Kind.MULTIPLE: "selected",
            }
            field = fields.get(question.kind, "text")
            rows.append(Answer(response=response, question=question, **{field: value}))
    Answer.objects.bulk_create(rows, batch_size=5000)
    # As response_submit does after each response: counted into results in batches of five.
    from evaluations.services import response_batches_count

    response_batches_count(session=session)
    return responses
