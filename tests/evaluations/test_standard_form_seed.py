"""The standard form's first version is seeded once — by `manage.py seed_evaluation_form` in a
deployment, or with the demo data — and asks
what evaluations/standard_form.py lists, with stable keys."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluations.models import EvaluationForm, Question, Section
from evaluations.services import form_copy, standard_form_seed
from people.hooks import demo_seed
from tests.factories import EvaluationFormFactory, standard_form

pytestmark = pytest.mark.django_db

KEYS_IN_ORDER = [
    "outcomes_met",
    "lived_experience_value",
    "confidence_before",
    "confidence_after",
    "organisation",
    "recommend",
    "most_useful",
    "to_improve",
    "more_of",
    "less_of",
    "stop_doing",
]


def questions_of(form: EvaluationForm) -> dict[str, Question]:
    return {
        q.key: q
        for q in Question.objects.filter(section__form=form).order_by("section__order", "order")
    }


def test_the_seed_publishes_version_1_of_the_standard_form():
    form = standard_form_seed()

    assert (form.course, form.version, form.status) == (None, 1, EvaluationForm.Status.PUBLISHED)
    assert form.published_at is not None


def test_the_seed_asks_every_question_of_issue_6_in_order_with_stable_keys():
    form = standard_form_seed()

    assert list(questions_of(form)) == KEYS_IN_ORDER


def test_the_content_note_says_what_is_asked_that_answers_are_anonymous_and_where_support_is():
    note = standard_form_seed().content_note

    assert "what you learned" in note
    assert "anonymous" in note
    assert "Samaritans on 116 123, free, any time" in note
    assert "talk to the trainers, your manager" in note


def test_every_rating_has_both_ends_labelled():
    questions = questions_of(standard_form_seed())
    ratings = [q for q in questions.values() if q.kind == Question.Kind.RATING]

    assert [q.key for q in ratings] == [
        "outcomes_met",
        "lived_experience_value",
        "confidence_before",
        "confidence_after",
        "organisation",
    ]
    assert all(q.low_label and q.high_label for q in ratings)
    assert (questions["outcomes_met"].low_label, questions["outcomes_met"].high_label) == (
        "Not at all",
        "Completely",
    )


def test_confidence_is_the_same_question_asked_before_today_and_now():
    questions = questions_of(standard_form_seed())
    before, after = questions["confidence_before"], questions["confidence_after"]

    assert before.text == (
        "Before today: how confident were you to involve service users in your work?"
    )
    assert after.text == "Now: how confident are you to involve service users in your work?"
    assert (before.low_label, before.high_label) == (after.low_label, after.high_label)


def test_the_kinds_and_required_answers_are_as_designed():
    questions = questions_of(standard_form_seed())

    assert questions["recommend"].kind == Question.Kind.YES_NO
    assert questions["recommend"].required
    assert questions["outcomes_met"].required
    for key in ("most_useful", "to_improve", "more_of", "less_of", "stop_doing"):
        assert questions[key].kind == Question.Kind.LONG_TEXT
        assert not questions[key].required


def test_the_three_reflections_are_asked_in_their_own_words():
    questions = questions_of(standard_form_seed())

    assert [questions[key].text for key in Question.REFLECTION_KEYS] == [
        "What will you do more of?",
        "What will you do less of?",
        "What will you stop doing?",
    ]


def test_seeding_again_changes_nothing():
    first = standard_form_seed()

    again = standard_form_seed()

    assert again == first
    assert EvaluationForm.objects.count() == 1
    assert Section.objects.count() == 4
    assert Question.objects.count() == len(KEYS_IN_ORDER)


def test_seeding_leaves_a_form_coordinators_have_moved_on_alone():
    published = standard_form_seed()
    draft = form_copy(form=published)

    assert standard_form_seed() == published
    assert EvaluationForm.objects.filter(course=None).count() == 2
    assert draft.status == EvaluationForm.Status.DRAFT


def test_the_command_creates_the_form_once_and_says_so():
    out = StringIO()

    call_command("seed_evaluation_form", stdout=out)
    call_command("seed_evaluation_form", stdout=out)

    assert "Created and published Session evaluation (version 1)." in out.getvalue()
    assert "already exists" in out.getvalue()
    assert EvaluationForm.objects.filter(course=None).count() == 1


def test_the_demo_data_seeds_the_standard_form():
    assert standard_form_seed in demo_seed.listeners


def test_the_factory_and_helper_give_the_one_published_standard_form():
    assert EvaluationFormFactory() == standard_form() == EvaluationForm.objects.get()


def test_admins_can_read_the_form_in_the_admin_but_not_change_it(client, admin_user):
    form = standard_form()
    client.force_login(admin_user)

    assert client.get(reverse("admin:evaluations_evaluationform_changelist")).status_code == 200
    page = client.get(reverse("admin:evaluations_evaluationform_change", args=[form.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:evaluations_evaluationform_add")).status_code == 403
