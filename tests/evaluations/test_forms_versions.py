"""Coordinators keep the standard evaluation form at /evaluations/forms/: a draft version is
changed (sections, questions), published (the version before is retired, answers stay with the
version they answered) and never changed again; a new version is made from it instead. A course
may add its own questions, kept the same way. The reflections are always asked."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evaluations.audit_actions import EvaluationAction
from evaluations.models import EvaluationForm, Question, Response, Section
from evaluations.services import (
    course_form_create,
    form_copy,
    form_publish,
    form_update,
    question_add,
    question_move,
    question_remove,
    question_update,
    section_add,
    section_move,
    section_remove,
    section_rename,
)
from sessions.models import Course
from tests.factories import (
    CourseFactory,
    EvaluationFormFactory,
    TrainingSessionFactory,
    standard_form,
)

pytestmark = pytest.mark.django_db

FORMS = reverse("evaluations:form-list")


def url(name: str, obj) -> str:
    return reverse(f"evaluations:{name}", kwargs={"pk": obj.pk})


def question(form: EvaluationForm, key: str) -> Question:
    return Question.objects.get(section__form=form, key=key)


def keys(form: EvaluationForm) -> list[str]:
    return list(
        Question.objects.filter(section__form=form)
        .order_by("section__order", "section__pk", "order", "pk")
        .values_list("key", flat=True)
    )


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def draft() -> EvaluationForm:
    """Version 2 of the standard form, a draft copied from the published version 1."""
    return form_copy(form=standard_form())


@pytest.fixture
def course_draft() -> EvaluationForm:
    form = course_form_create(course=CourseFactory(title="Hearing voices"))
    section = section_add(form=form, title="About this course")
    question_add(
        section=section,
        text="Was the voices exercise useful?",
        kind=Question.Kind.YES_NO,
    )
    return form


ROLE_REFUSALS = [("trainer", 403), ("team_lead", 403), ("manager", 403), ("admin_user", 403)]


# Who reaches the pages


@pytest.mark.parametrize(("who", "status"), ROLE_REFUSALS)
def test_only_coordinators_reach_the_form_pages(client, request, who, status, draft):
    client.force_login(request.getfixturevalue(who))

    assert client.get(FORMS).status_code == status
    assert client.get(url("form-detail", draft)).status_code == status
    assert client.post(url("form-publish", draft)).status_code == status
    assert EvaluationForm.objects.get(pk=draft.pk).status == EvaluationForm.Status.DRAFT


def test_visitors_are_sent_to_sign_in_from_the_form_pages(client, draft):
    for page in (FORMS, url("form-detail", draft)):
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# The list


def test_the_list_shows_the_standard_forms_versions_and_courses_own_questions(
    coordinator_client, draft, course_draft
):
    response = coordinator_client.get(FORMS)

    assert response.status_code == 200
    assert list(response.context["standard_versions"]) == [draft, standard_form()]
    assert list(response.context["course_forms"]) == [course_draft]
    assert response.context["standard_versions"][1].question_count == 11
    page = response.content.decode()
    assert url("form-detail", draft) in page
    assert url("form-detail", course_draft) in page
    assert "Hearing voices" in page


def test_the_list_runs_as_many_queries_for_many_courses_as_for_few(
    coordinator_client, django_assert_max_num_queries
):
    standard_form()
    course_form_create(course=CourseFactory())
    CourseFactory()  # one still without its own questions, so the choice is offered
    with django_assert_max_num_queries(12) as few:
        coordinator_client.get(FORMS)
    courses = Course.objects.bulk_create(Course(title=f"Course {n}") for n in range(60))
    EvaluationForm.objects.bulk_create(
        EvaluationForm(course=course, version=1, title="Own questions") for course in courses
    )
    Course.objects.bulk_create(Course(title=f"Course without {n}") for n in range(60))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = coordinator_client.get(FORMS)

    assert len(response.context["course_forms"]) == 61
    assert response.content.decode().count("<option") == 62


def test_a_coordinator_starts_a_courses_own_questions_from_the_list(coordinator_client):
    course = CourseFactory(title="Hearing voices")

    response = coordinator_client.post(FORMS, {"course": course.pk})

    form = EvaluationForm.objects.get(course=course)
    assert response.status_code == 302
    assert response.url == url("form-detail", form)
    assert (form.version, form.status) == (1, EvaluationForm.Status.DRAFT)


@pytest.mark.parametrize(
    ("chosen", "message"),
    [("", "Choose the course to add questions for."), ("999999", "Choose one of the courses")],
)
def test_starting_a_courses_questions_without_a_real_course_says_so_and_saves_nothing(
    coordinator_client, chosen, message
):
    CourseFactory()

    response = coordinator_client.post(FORMS, {"course": chosen})

    assert response.status_code == 200
    assert message in response.context["course_form"].errors["course"][0]
    assert not EvaluationForm.objects.filter(course__isnull=False).exists()


def test_a_course_with_its_own_questions_is_not_started_twice(course_draft):
    with pytest.raises(ValidationError) as refusal:
        course_form_create(course=course_draft.course)

    assert "already has its own questions (version 1)" in refusal.value.message_dict["course"][0]
    assert EvaluationForm.objects.filter(course=course_draft.course).count() == 1


# The page of a version


def test_a_draft_page_offers_changes_and_a_published_one_only_a_new_version(
    coordinator_client, draft
):
    draft_page = coordinator_client.get(url("form-detail", draft)).content.decode()
    published_page = coordinator_client.get(url("form-detail", standard_form())).content.decode()

    assert url("form-edit", draft) in draft_page
    assert url("form-publish", draft) in draft_page
    assert url("form-copy", draft) not in draft_page
    assert "/evaluations/questions/" not in published_page
    assert url("form-copy", standard_form()) in published_page
    assert "Samaritans on 116 123" in published_page


def test_the_page_offers_no_remove_for_the_reflections(coordinator_client, draft):
    page = coordinator_client.get(url("form-detail", draft)).content.decode()

    assert url("question-delete", question(draft, "to_improve")) in page
    for key in Question.REFLECTION_KEYS:
        assert url("question-edit", question(draft, key)) in page
        assert url("question-delete", question(draft, key)) not in page


def test_the_page_runs_a_bounded_number_of_queries(
    coordinator_client, draft, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14) as few:
        coordinator_client.get(url("form-detail", draft))
    section = Section.objects.create(form=draft, title="Many", order=9)
    Question.objects.bulk_create(
        Question(section=section, key=f"q{n}", text=f"Q{n}", kind="yes_no", order=n)
        for n in range(100)
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        coordinator_client.get(url("form-detail", draft))


def test_an_unknown_version_is_not_found(coordinator_client):
    assert coordinator_client.get("/evaluations/forms/999999/").status_code == 404


# Title and note


def test_a_coordinator_changes_a_drafts_title_and_note(coordinator_client, draft):
    response = coordinator_client.post(
        url("form-edit", draft), {"title": "  Your   session ", "content_note": "Support: call."}
    )

    draft.refresh_from_db()
    assert response.url == url("form-detail", draft)
    assert (draft.title, draft.content_note) == ("Your session", "Support: call.")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "content_note": "Note"}, "title", "Give the form a title."),
        ({"title": "   ", "content_note": "Note"}, "title", "Give the form a title."),
        ({"title": "x" * 201, "content_note": "Note"}, "title", "Keep the title to 200"),
        ({"title": "Kept title", "content_note": "  "}, "content_note", "where to find support"),
    ],
)
def test_a_bad_title_or_note_is_refused_at_the_field_keeping_what_was_typed(
    coordinator_client, draft, data, field, message
):
    response = coordinator_client.post(url("form-edit", draft), data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert response.context["form"]["title"].value() == data["title"]
    draft.refresh_from_db()
    assert draft.title == "Session evaluation"
    assert "Samaritans" in draft.content_note


def test_a_courses_own_questions_need_no_note(course_draft):
    form_update(form=course_draft, title="About voices", content_note="")

    course_draft.refresh_from_db()
    assert (course_draft.title, course_draft.content_note) == ("About voices", "")


# Sections


def test_a_coordinator_adds_renames_and_removes_a_section(coordinator_client, draft):
    coordinator_client.post(url("section-create", draft), {"title": "Venue"})
    section = draft.sections.get(title="Venue")
    assert section.order == 5

    coordinator_client.post(url("section-edit", section), {"title": "The venue"})
    section.refresh_from_db()
    assert section.title == "The venue"

    confirm = coordinator_client.get(url("section-delete", section))
    assert "Remove the section “The venue”?" in confirm.content.decode()
    coordinator_client.post(url("section-delete", section))
    assert not Section.objects.filter(pk=section.pk).exists()


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Give the section a title."), ("x" * 201, "Keep the title to 200 characters")],
)
def test_a_bad_section_title_is_refused_at_the_field_and_nothing_is_saved(
    coordinator_client, draft, title, message
):
    response = coordinator_client.post(url("section-create", draft), {"title": title})

    assert response.status_code == 200
    assert message in response.context["form"].errors["title"][0]
    assert response.context["form"]["title"].value() == title
    assert draft.sections.count() == 4


def test_removing_a_section_removes_its_questions(draft):
    section = question(draft, "organisation").section

    section_remove(section=section)

    assert "organisation" not in keys(draft)
    assert "recommend" not in keys(draft)


def test_the_section_holding_the_reflections_cannot_be_removed(coordinator_client, draft):
    section = question(draft, "more_of").section

    response = coordinator_client.post(url("section-delete", section), follow=True)

    assert "holds the reflection questions" in response.content.decode()
    assert Section.objects.filter(pk=section.pk).exists()
    assert keys(draft)[-3:] == ["more_of", "less_of", "stop_doing"]


@pytest.mark.parametrize(
    ("moved", "up", "expected"),
    [
        (1, True, [1, 0, 2, 3]),
        (1, False, [0, 2, 1, 3]),
        (0, True, [0, 1, 2, 3]),
        (3, False, [0, 1, 2, 3]),
    ],
)
def test_sections_move_one_place_up_or_down(draft, moved, up, expected):
    sections = list(draft.sections.order_by("order"))

    section_move(section=sections[moved], up=up)

    assert list(draft.sections.order_by("order")) == [sections[i] for i in expected]


def test_a_coordinator_moves_a_section_from_the_page(coordinator_client, draft):
    last = draft.sections.order_by("order").last()

    response = coordinator_client.post(url("section-move", last), {"direction": "up"})

    assert response.url == url("form-detail", draft) + f"#section-{last.pk}"
    assert list(draft.sections.order_by("order"))[2] == last


# Questions


def test_a_coordinator_adds_a_choice_question_with_help_and_its_key_comes_from_its_words(
    coordinator_client, draft
):
    section = question(draft, "organisation").section

    response = coordinator_client.post(
        url("question-create", section),
        {
            "text": "How did you hear about the session?",
            "help_text": "Tick all that apply.",
            "kind": "multiple",
            "choices": "Email\n\n  My manager \nA poster\nemail",
            "low_label": "ignored",
        },
    )

    added = Question.objects.get(section=section, text="How did you hear about the session?")
    assert response.url == url("form-detail", draft) + f"#question-{added.pk}"
    assert added.key == "how_did_you_hear_about_the_session"
    assert added.choices == ["Email", "My manager", "A poster"]
    assert (added.help_text, added.required, added.low_label) == ("Tick all that apply.", False, "")
    assert keys(draft).index(added.key) == keys(draft).index("to_improve") + 1


def test_a_rating_keeps_its_labelled_ends_and_a_repeated_key_gets_a_number(draft):
    section = draft.sections.first()
    data = {"text": "Pace?", "kind": "rating", "low_label": "Too slow", "high_label": "Too fast"}

    first = question_add(section=section, **data)
    second = question_add(section=section, **data)

    assert (first.key, second.key) == ("pace", "pace_2")
    assert (first.low_label, first.high_label, first.choices) == ("Too slow", "Too fast", [])


RATING: dict[str, Any] = {
    "text": "Pace?",
    "kind": "rating",
    "low_label": "Slow",
    "high_label": "Fast",
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"text": ""}, "text", "Write the question."),
        ({"text": "x" * 301}, "text", "Keep the question to 300 characters or fewer."),
        ({"help_text": "x" * 301}, "help_text", "Keep the help text to 300 characters"),
        ({"kind": "essay"}, "kind", "Choose one of the kinds of answer listed."),
        ({"low_label": ""}, "low_label", "Say what 1 means"),
        ({"high_label": "  "}, "high_label", "Say what 5 means"),
        ({"high_label": "x" * 61}, "high_label", "Keep the label to 60 characters or fewer."),
        ({"kind": "single", "choices": "Only one"}, "choices", "at least two different choices"),
        ({"kind": "multiple", "choices": "Yes\nyes"}, "choices", "at least two different"),
        ({"kind": "single", "choices": "a\n" + "x" * 101}, "choices", "100 characters or fewer"),
        (
            {"kind": "single", "choices": "\n".join(str(n) for n in range(21))},
            "choices",
            "at most 20 choices",
        ),
    ],
)
def test_a_bad_question_is_refused_at_the_field_keeping_what_was_typed(
    coordinator_client, draft, change, field, message
):
    section = draft.sections.first()
    data = {**RATING, "required": "on", "help_text": "Think of today.", **change}

    response = coordinator_client.post(url("question-create", section), data)

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert response.context["form"]["help_text"].value() == data["help_text"]
    assert response.context["form"]["text"].value() == data["text"]
    assert section.questions.count() == 2


def test_editing_a_question_keeps_its_key(coordinator_client, draft):
    asked = question(draft, "organisation")

    coordinator_client.post(
        url("question-edit", asked),
        {**RATING, "text": "How smoothly did the day run?", "required": "on"},
    )

    asked.refresh_from_db()
    assert (asked.key, asked.text, asked.required) == (
        "organisation",
        "How smoothly did the day run?",
        True,
    )
    assert (asked.low_label, asked.high_label) == ("Slow", "Fast")


def test_a_bad_edit_to_a_question_saves_none_of_it(coordinator_client, draft):
    asked = question(draft, "organisation")

    response = coordinator_client.post(
        url("question-edit", asked), {**RATING, "text": "Changed", "low_label": ""}
    )

    assert response.status_code == 200
    asked.refresh_from_db()
    assert asked.text == "How well organised was the session?"
    assert asked.low_label == "Very poorly"


def test_a_reflection_can_be_reworded_but_keeps_a_written_answer(draft):
    reflection = question(draft, "more_of")

    question_update(question=reflection, text="What will you do more often?", kind="short_text")
    with pytest.raises(ValidationError) as refusal:
        question_update(question=reflection, **RATING)

    assert "takes a written answer" in refusal.value.message_dict["kind"][0]
    reflection.refresh_from_db()
    assert (reflection.text, reflection.kind) == ("What will you do more often?", "short_text")


def test_a_coordinator_removes_a_question_after_confirming(coordinator_client, draft):
    asked = question(draft, "to_improve")

    assert (
        "Remove this question?"
        in coordinator_client.get(url("question-delete", asked)).content.decode()
    )
    coordinator_client.post(url("question-delete", asked))

    assert "to_improve" not in keys(draft)
    assert "to_improve" in keys(standard_form())


@pytest.mark.parametrize("key", Question.REFLECTION_KEYS)
def test_the_reflections_cannot_be_removed_from_the_standard_form(coordinator_client, draft, key):
    reflection = question(draft, key)

    page = coordinator_client.get(url("question-delete", reflection)).content.decode()
    response = coordinator_client.post(url("question-delete", reflection), follow=True)

    assert "This question cannot be removed" in page
    assert "which the standard form always asks" in response.content.decode()
    assert key in keys(draft)


def test_a_courses_own_questions_may_be_removed_whatever_they_ask(course_draft):
    section = course_draft.sections.get()
    asked = question_add(section=section, text="More of", kind="short_text")

    question_remove(question=asked)

    assert asked.key != "more_of"
    assert keys(course_draft) == ["was_the_voices_exercise_useful"]


def test_questions_move_within_their_section(draft):
    first, second = question(draft, "confidence_before"), question(draft, "confidence_after")

    question_move(question=second, up=True)

    assert keys(draft)[2:4] == ["confidence_after", "confidence_before"]
    question_move(question=first, up=True)
    assert keys(draft)[2:4] == ["confidence_before", "confidence_after"]


def test_a_coordinator_moves_a_question_from_the_page(coordinator_client, draft):
    asked = question(draft, "recommend")

    response = coordinator_client.post(url("question-move", asked), {"direction": "down"})

    assert response.url == url("form-detail", draft) + f"#question-{asked.pk}"
    assert keys(draft).index("recommend") == keys(draft).index("most_useful") + 1


# A published version is never changed


CHANGES = {
    "form_update": lambda f: form_update(form=f, title="New", content_note="New"),
    "section_add": lambda f: section_add(form=f, title="New"),
    "section_rename": lambda f: section_rename(section=f.sections.first(), title="New"),
    "section_remove": lambda f: section_remove(section=f.sections.first()),
    "section_move": lambda f: section_move(section=f.sections.last(), up=True),
    "question_add": lambda f: question_add(section=f.sections.first(), **RATING),
    "question_update": lambda f: question_update(question=question(f, "organisation"), **RATING),
    "question_remove": lambda f: question_remove(question=question(f, "to_improve")),
    "question_move": lambda f: question_move(question=question(f, "recommend"), up=True),
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("status", [EvaluationForm.Status.PUBLISHED, EvaluationForm.Status.RETIRED])
def test_a_published_or_retired_version_is_never_changed(change, status):
    form = standard_form()
    EvaluationForm.objects.filter(pk=form.pk).update(status=status)
    before = (keys(form), list(form.sections.values_list("title", "order")))

    with pytest.raises(ValidationError) as refusal:
        CHANGES[change](form)

    word = "published" if status == EvaluationForm.Status.PUBLISHED else "retired"
    assert refusal.value.messages == [
        f"Version 1 of the standard form is {word}, so it cannot be changed. Make a new "
        "version from it instead."
    ]
    assert (keys(form), list(form.sections.values_list("title", "order"))) == before


def test_the_change_pages_of_a_published_version_show_the_version_instead(coordinator_client):
    form = standard_form()
    asked = question(form, "organisation")

    for page in (
        url("form-edit", form),
        url("section-create", form),
        url("section-edit", asked.section),
        url("section-delete", asked.section),
        url("question-create", asked.section),
        url("question-edit", asked),
        url("question-delete", asked),
    ):
        response = coordinator_client.get(page)
        assert response.status_code == 302
        assert response.url == url("form-detail", form)


def test_posting_a_change_to_a_published_version_changes_nothing_and_says_why(coordinator_client):
    asked = question(standard_form(), "organisation")

    response = coordinator_client.post(url("question-edit", asked), {**RATING, "required": "on"})

    assert response.status_code == 200
    assert "Make a new version from it instead." in response.content.decode()
    asked.refresh_from_db()
    assert asked.text == "How well organised was the session?"


# Publishing and new versions


def test_publishing_retires_the_version_before_and_is_recorded(coordinator, draft):
    first = standard_form()

    form_publish(form=draft, by=coordinator)

    first.refresh_from_db()
    draft.refresh_from_db()
    assert (first.status, draft.status) == ("retired", "published")
    assert draft.published_at is not None
    event = AuditEvent.objects.get(action=EvaluationAction.EVALUATION_FORM_PUBLISHED)
    assert event.actor == coordinator
    assert event.changes == {"version": 2, "course": None, "retired_version": 1}


def test_answers_keep_pointing_at_the_version_they_answered(coordinator, draft):
    first = standard_form()
    response = Response.objects.create(
        session=TrainingSessionFactory(), form=first, submitted_on=timezone.localdate()
    )

    form_publish(form=draft, by=coordinator)

    response.refresh_from_db()
    assert response.form == first
    assert EvaluationForm.objects.get(course=None, status="published") == draft


def test_a_published_version_is_not_published_again(coordinator):
    with pytest.raises(ValidationError) as refusal:
        form_publish(form=standard_form(), by=coordinator)

    assert "is published, so it cannot be changed" in refusal.value.messages[0]
    assert not AuditEvent.objects.filter(action=EvaluationAction.EVALUATION_FORM_PUBLISHED).exists()


def test_a_standard_draft_without_the_reflections_is_not_published(coordinator, draft):
    Question.objects.filter(section__form=draft, key="stop_doing").delete()

    with pytest.raises(ValidationError) as refusal:
        form_publish(form=draft, by=coordinator)

    assert "must ask the three reflections" in refusal.value.messages[0]
    assert standard_form().version == 1


def test_a_draft_with_an_empty_section_or_no_questions_is_not_published(coordinator):
    form = course_form_create(course=CourseFactory())
    with pytest.raises(ValidationError) as nothing:
        form_publish(form=form, by=coordinator)
    section_add(form=form, title="Empty")
    with pytest.raises(ValidationError) as empty:
        form_publish(form=form, by=coordinator)

    assert nothing.value.messages == ["Add at least one question."]
    assert "The section “Empty” has no questions: add one or remove it." in empty.value.messages
    assert EvaluationForm.objects.get(pk=form.pk).status == "draft"


def test_the_page_lists_what_a_draft_needs_and_offers_no_publishing(coordinator_client):
    form = course_form_create(course=CourseFactory())

    response = coordinator_client.get(url("form-detail", form))

    assert response.context["problems"] == ["Add at least one question."]
    assert url("form-publish", form) not in response.content.decode()


def test_a_coordinator_publishes_then_makes_a_new_version_from_the_page(coordinator_client, draft):
    published = coordinator_client.post(url("form-publish", draft), follow=True)
    copied = coordinator_client.post(url("form-copy", draft))

    assert "Version 2 is published" in published.content.decode()
    third = EvaluationForm.objects.get(course=None, version=3)
    assert copied.url == url("form-detail", third)
    assert third.status == "draft"


def test_publishing_an_incomplete_draft_from_the_page_says_why(coordinator_client):
    form = course_form_create(course=CourseFactory())

    response = coordinator_client.post(url("form-publish", form), follow=True)

    assert "Add at least one question." in response.content.decode()
    assert EvaluationForm.objects.get(pk=form.pk).status == "draft"


def test_a_new_version_copies_sections_and_questions_with_their_keys(draft):
    source = standard_form()

    assert (draft.version, draft.status, draft.course) == (2, "draft", None)
    assert (draft.title, draft.content_note) == (source.title, source.content_note)
    assert keys(draft) == keys(source)
    copied, original = question(draft, "outcomes_met"), question(source, "outcomes_met")
    assert copied.pk != original.pk
    fields = ("text", "help_text", "kind", "required", "choices", "low_label", "high_label")
    assert [getattr(copied, f) for f in fields] == [getattr(original, f) for f in fields]
    assert list(draft.sections.values_list("title", "order")) == list(
        source.sections.values_list("title", "order")
    )


def test_changing_the_new_version_leaves_the_published_one_as_it_was(draft):
    question_update(question=question(draft, "organisation"), **RATING)
    section_rename(section=draft.sections.first(), title="Renamed")

    source = standard_form()
    assert question(source, "organisation").text == "How well organised was the session?"
    assert source.sections.first().title == "What you learned"


def test_a_draft_is_not_copied_but_changed(draft):
    with pytest.raises(ValidationError) as refusal:
        form_copy(form=draft)

    assert "is a draft: change it instead" in refusal.value.messages[0]


def test_a_second_draft_is_refused_naming_the_first(draft):
    with pytest.raises(ValidationError) as refusal:
        form_copy(form=standard_form())

    assert "There is already a draft, version 2." in refusal.value.messages[0]
    assert EvaluationForm.objects.filter(course=None).count() == 2


# A course's own questions


def test_a_courses_own_questions_are_published_per_course_beside_the_standard_form(
    coordinator, course_draft
):
    standard = standard_form()
    other = course_form_create(course=CourseFactory())
    question_add(section=section_add(form=other, title="S"), text="Q?", kind="yes_no")

    form_publish(form=course_draft, by=coordinator)
    form_publish(form=other, by=coordinator)
    second = form_copy(form=course_draft)
    form_publish(form=second, by=coordinator)

    published = EvaluationForm.objects.filter(status="published")
    assert set(published) == {standard, other, second}
    course_draft.refresh_from_db()
    assert course_draft.status == "retired"
    assert keys(second) == ["was_the_voices_exercise_useful"]


def test_a_course_form_page_names_the_course(coordinator_client, course_draft):
    response = coordinator_client.get(url("form-detail", course_draft))

    assert "“Hearing voices”: its own questions" in response.content.decode()
    assert response.context["is_standard"] is False


def test_the_factory_gives_a_course_an_empty_draft_of_its_own_questions():
    course = CourseFactory()

    form = EvaluationFormFactory(course=course)

    assert (form.course, form.version, form.status) == (course, 1, "draft")
    assert EvaluationFormFactory(course=course).version == 2
