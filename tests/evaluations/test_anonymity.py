"""Anonymity of evaluations (docs/domain.md, Evaluations).

Learners are told nobody can see who gave which answers, so no figure drawn from their answers
(ratings, counts, means, the change in confidence, charts, comments and reflections) reaches anyone,
on any page, PDF or spreadsheet, while it rests on fewer than 5 people: a session with fewer than 5
responses shows none, a question fewer than 5 people answered shows none, and figures across
sessions count only what each session's own page would show, so comparing two pages picks nobody
out. How many responded stays visible: coordinators need it to chase."""

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from evaluations.models import (
    Answer,
    EvaluationForm,
    FreeTextRelease,
    Question,
    Response,
    Section,
)
from evaluations.pdf import SESSION_REPORT_TEMPLATE, session_report_context
from evaluations.selectors import (
    MIN_RESPONSES_TO_SHOW,
    QUESTION_WITHHELD,
    RESULTS_WITHHELD,
    document_session_report,
    results_answer_rows,
)
from evaluations.services import (
    course_form_create,
    form_copy,
    form_publish,
    question_add,
    section_add,
)
from sessions.models import Registration, TrainerAssignment, TrainingSession
from tests.factories import (
    CourseFactory,
    CourseVersionFactory,
    RegionFactory,
    TrainerAssignmentFactory,
    TrainingSessionFactory,
    registrations_in_bulk,
    responses_for,
    standard_form,
)
from tests.pdfs import pdf_inflated

pytestmark = pytest.mark.django_db

WHY = "Results appear once at least 5 people have answered, so nobody's answers can be picked out."
SECRET_COMMENT = "Only the one learner who answered would write this"


def text_of(content: bytes) -> str:
    """The page's text as a reader sees it: entities decoded, spaces collapsed."""
    return unescape(re.sub(r"\s+", " ", content.decode()))


def assert_no_figures(html: str, *, where: str = "") -> None:
    """Nothing drawn from the answers: no mean, count of answers, chart, table, confidence
    change, comment or reflection."""
    for shown in ("out of 5", "<svg", "Answers to “", "a change of", "Mean before"):
        assert shown not in html, f"{shown!r} on {where}"
    assert not re.search(r"\b\d+ answers?\b", html), where
    assert SECRET_COMMENT not in html, where
    assert "More role play" not in html, where


def assert_figures(html: str) -> None:
    assert "out of 5" in html
    assert "<svg" in html
    assert "Answers to “" in html


@pytest.fixture
def lead(trainer):
    return trainer


@pytest.fixture
def region():
    return RegionFactory(name="Northfold")


def session_with(n: int, *, attendees: int, lead, region) -> TrainingSession:
    """A delivered session led by `lead` with `attendees` attendees and `n` responses, each
    rating everything 1 except confidence after (5), with a comment and a reflection."""
    standard_form()
    session = TrainingSessionFactory(
        status=TrainingSession.Status.DELIVERED,
        region=region,
        course_version=CourseVersionFactory(),
    )
    TrainerAssignmentFactory(
        session=session,
        user=lead,
        role=TrainerAssignment.Role.LEAD,
        status=TrainerAssignment.Status.ACCEPTED,
    )
    registrations_in_bulk(session, attendees, status=Registration.Status.ATTENDED)
    responses_for(
        session,
        n,
        ratings={
            "organisation": 1,
            "outcomes_met": 1,
            "lived_experience_value": 1,
            "confidence_before": 1,
            "confidence_after": 5,
        },
        answers={"most_useful": SECRET_COMMENT, "more_of": "More role play please"},
    )
    return session


@pytest.fixture
def one_of_two(lead, region, coordinator) -> TrainingSession:
    """The exact case: 1 response from 2 attendees, comments released to the trainers."""
    session = session_with(1, attendees=2, lead=lead, region=region)
    FreeTextRelease.objects.create(session=session, released_by=coordinator)
    return session


@pytest.fixture
def five_of_six(lead, region, coordinator) -> TrainingSession:
    session = session_with(5, attendees=6, lead=lead, region=region)
    FreeTextRelease.objects.create(session=session, released_by=coordinator)
    return session


def pages(session, lead, region) -> list[str]:
    """Every page that shows a session's results, alone or with others."""
    version = session.course_version_id
    overview = reverse("evaluations:results-overview")
    return [
        reverse("evaluations:results-session", args=[session.pk]),
        reverse("evaluations:results-course-version", args=[version]),
        reverse("evaluations:review-course-version", args=[version]),
        overview,
        f"{overview}?region={region.pk}",
        f"{overview}?trainer={lead.pk}",
    ]


ROLES = ["coordinator", "manager", "lead", "other_trainer"]


def get_each(client, user, urls) -> list[tuple[str, int, str]]:
    client.force_login(user)
    return [(url, (r := client.get(url)).status_code, text_of(r.content)) for url in urls]


@pytest.mark.parametrize("who", ROLES)
def test_one_response_of_two_shows_no_ratings_to_anyone_on_any_page(
    client, request, one_of_two, lead, region, who
):
    user = request.getfixturevalue(who)

    seen = get_each(client, user, pages(one_of_two, lead, region))

    shown = [(url, html) for url, status, html in seen if status == 200]
    assert shown, "every role opens some results page"
    for url, html in shown:
        assert_no_figures(html, where=url)
        if who != "other_trainer":  # whose own pages hold no response at all
            assert WHY in html, url
    if who != "other_trainer":
        # How many answered stays visible: coordinators chase with it.
        session_page = dict(shown)[pages(one_of_two, lead, region)[0]]
        assert "1 of 2 (50%)" in session_page


@pytest.mark.parametrize("who", ["coordinator", "manager", "lead"])
def test_five_responses_show_the_ratings_on_every_page(
    client, request, five_of_six, lead, region, who
):
    user = request.getfixturevalue(who)

    seen = get_each(client, user, pages(five_of_six, lead, region))

    for url, status, html in seen:
        assert status == 200, url
        assert_figures(html)
        assert WHY not in html
        assert "a change of <strong>+4.0</strong>" in html


def test_the_course_review_says_why_with_one_response_of_two(client, coordinator, one_of_two):
    client.force_login(coordinator)

    html = text_of(
        client.get(
            reverse("evaluations:review-course-version", args=[one_of_two.course_version_id])
        ).content
    )

    assert_no_figures(html)
    assert WHY in html


# --- The session report (PDF) ---


def report_html(session, *, with_names: bool) -> str:
    report = document_session_report(session=session, with_names=with_names)
    return text_of(
        render_to_string(SESSION_REPORT_TEMPLATE, session_report_context(report)).encode()
    )


@pytest.mark.parametrize("with_names", [True, False])
def test_the_session_report_of_one_response_of_two_has_no_ratings_and_says_why(
    one_of_two, with_names
):
    html = report_html(one_of_two, with_names=with_names)

    assert_no_figures(html)
    assert WHY in html
    assert "Responses: 1 of 2 (50%)." in html


def test_the_session_report_of_five_responses_has_the_ratings(five_of_six):
    html = report_html(five_of_six, with_names=True)

    assert_figures(html)
    assert "a change of +4.0" in html
    assert "More role play please" in html
    assert WHY not in html


@pytest.mark.parametrize("who", ["coordinator", "manager", "lead"])
def test_the_downloaded_report_pdf_of_one_response_of_two_has_no_question_headings(
    client, request, one_of_two, who
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("evaluations:document-session-report", args=[one_of_two.pk]))

    # Each heading is a bookmark in the PDF: the results' headings must not be there.
    text = pdf_inflated(response.content)
    assert response.status_code == 200
    assert b"/Title (Evaluation)" in text
    assert b"/Title (Confidence to involve service users)" not in text


def test_the_downloaded_report_pdf_of_five_responses_has_the_question_headings(
    client, coordinator, five_of_six
):
    client.force_login(coordinator)

    response = client.get(reverse("evaluations:document-session-report", args=[five_of_six.pk]))

    assert b"/Title (Confidence to involve service users)" in pdf_inflated(response.content)


# --- The spreadsheets ---


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_the_spreadsheets_of_one_response_of_two_have_no_rows(client, request, one_of_two, who):
    client.force_login(request.getfixturevalue(who))

    for name in ("results-session-csv", "results-course-version-csv"):
        pk = one_of_two.pk if name == "results-session-csv" else one_of_two.course_version_id
        response = client.get(reverse(f"evaluations:{name}", args=[pk]))

        rows = csv_rows(response)
        assert response.status_code == 200
        assert rows[0][0] == "session"
        assert rows[1:] == []
        assert SECRET_COMMENT not in response.content.decode("utf-8-sig")


def test_the_spreadsheet_of_five_responses_has_a_row_each(client, coordinator, five_of_six):
    client.force_login(coordinator)

    response = client.get(reverse("evaluations:results-session-csv", args=[five_of_six.pk]))

    rows = csv_rows(response)
    assert len(rows) == 6
    assert SECRET_COMMENT in response.content.decode("utf-8-sig")


def test_the_results_page_says_why_the_spreadsheet_has_no_rows(client, coordinator, one_of_two):
    client.force_login(coordinator)

    html = text_of(client.get(reverse("evaluations:results-session", args=[one_of_two.pk])).content)

    assert "Download the answers as a spreadsheet" not in html
    assert WHY in html


# --- Comments and reflections, for coordinators and managers too ---


@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_coordinators_and_managers_read_no_comment_from_fewer_than_5_responses(
    client, request, lead, region, who
):
    session = session_with(4, attendees=9, lead=lead, region=region)
    client.force_login(request.getfixturevalue(who))

    html = text_of(client.get(reverse("evaluations:results-session", args=[session.pk])).content)

    assert SECRET_COMMENT not in html
    assert "More role play" not in html
    assert WHY in html


# --- A question fewer than 5 people answered ---


def optional_rating(session) -> EvaluationForm:
    """The course's own questions: one optional rating, "pace"."""
    form = EvaluationForm.objects.create(
        course=session.course_version.course,
        version=1,
        title="Extra",
        status=EvaluationForm.Status.PUBLISHED,
    )
    section = Section.objects.create(form=form, title="About this course", order=1)
    Question.objects.create(
        section=section,
        key="pace",
        text="How was the pace?",
        kind=Question.Kind.RATING,
        required=False,
        order=1,
    )
    return form


def test_an_optional_question_answered_by_3_of_10_shows_no_figures_but_the_rest_do(
    client, coordinator, lead, region
):
    session = session_with(0, attendees=12, lead=lead, region=region)
    course_form = optional_rating(session)
    responses_for(
        session,
        10,
        course_form=course_form,
        ratings={"pace": [2, 2, 2] + [None] * 7, "organisation": 4},
    )
    client.force_login(coordinator)

    html = text_of(client.get(reverse("evaluations:results-session", args=[session.pk])).content)

    pace = html.split('id="question-pace"', 1)[1].split("</section>", 1)[0]
    assert QUESTION_WITHHELD in pace
    assert "<svg" not in pace
    assert "mean" not in pace
    assert not re.search(r"\b\d+ answers?\b", pace)
    assert "Answers to “How was the pace?”" not in html
    assert "10 answers; mean <strong>4.0</strong> out of 5" in html


def test_the_optional_questions_cells_are_withheld_in_the_spreadsheet(coordinator, lead, region):
    session = session_with(0, attendees=12, lead=lead, region=region)
    course_form = optional_rating(session)
    responses_for(session, 10, course_form=course_form, ratings={"pace": [2, 2, 2] + [None] * 7})

    header, rows = results_answer_rows(sessions=TrainingSession.objects.filter(pk=session.pk))

    column = header.index("pace")
    assert len(rows) == 10
    assert {row[column] for row in rows} == {"[fewer than 5 answers]"}


def test_the_optional_question_shows_its_figures_once_5_answered(coordinator, lead, region, client):
    session = session_with(0, attendees=12, lead=lead, region=region)
    course_form = optional_rating(session)
    responses_for(
        session,
        10,
        course_form=course_form,
        ratings={"pace": [2] * MIN_RESPONSES_TO_SHOW + [None] * 5},
    )
    client.force_login(coordinator)

    html = text_of(client.get(reverse("evaluations:results-session", args=[session.pk])).content)

    assert "Answers to “How was the pace?”" in html
    assert "5 answers; mean <strong>2.0</strong> out of 5" in html


# --- Across sessions: nothing a subtraction could pick out ---


def test_a_session_with_fewer_than_5_responses_adds_nothing_to_the_course_versions_figures(
    client, coordinator, lead, region
):
    big = session_with(5, attendees=5, lead=lead, region=region)
    small = TrainingSessionFactory(status="delivered", course_version=big.course_version)
    registrations_in_bulk(small, 2, status=Registration.Status.ATTENDED)
    responses_for(small, 1, ratings={"organisation": 5})
    client.force_login(coordinator)

    html = text_of(
        client.get(
            reverse("evaluations:results-course-version", args=[big.course_version_id])
        ).content
    )

    # The version's figures equal the big session's: subtracting one page from the other
    # reveals nothing about the one response to the small session.
    assert "Response rate: <strong>6 of 7 (86%)</strong>" in html
    assert "5 answers; mean <strong>1.0</strong> out of 5" in html
    assert "1 session with fewer than 5 responses is left out" in html
    spreadsheet = client.get(
        reverse("evaluations:results-course-version-csv", args=[big.course_version_id])
    )
    assert sorted(row[0] for row in csv_rows(spreadsheet)[1:]) == [big.code] * 5


def test_a_question_fewer_than_5_answered_in_each_session_stays_hidden_across_sessions(
    client, coordinator, lead, region
):
    first = session_with(0, attendees=12, lead=lead, region=region)
    second = TrainingSessionFactory(status="delivered", course_version=first.course_version)
    course_form = optional_rating(first)
    for each in (first, second):
        responses_for(each, 6, course_form=course_form, ratings={"pace": [3, 3, 3] + [None] * 3})
    client.force_login(coordinator)

    html = text_of(
        client.get(
            reverse("evaluations:results-course-version", args=[first.course_version_id])
        ).content
    )

    assert "Answers to “How was the pace?”" not in html
    pace = html.split('id="question-pace"', 1)[1].split("</section>", 1)[0]
    assert QUESTION_WITHHELD in pace


def test_the_reasons_are_written_once_in_the_selectors():
    assert MIN_RESPONSES_TO_SHOW == 5
    assert RESULTS_WITHHELD == WHY
    assert "Fewer than 5 people answered this question" in QUESTION_WITHHELD


# --- The page to hide a comment ---


def comment_of(session):
    return Answer.objects.get(response__session=session, text=SECRET_COMMENT)


def test_the_hide_page_does_not_open_a_comment_from_one_response_of_two(
    client, coordinator, one_of_two
):
    # Answer ids run in order, so a coordinator can try the next ids after a comment they saw.
    client.force_login(coordinator)
    url = reverse("evaluations:results-comment-hide", args=[comment_of(one_of_two).pk])

    shown = client.get(url)
    posted = client.post(url, {"reason": "x" * 400})  # an error would show the page again

    assert shown.status_code == 404
    assert posted.status_code == 404
    assert SECRET_COMMENT not in shown.content.decode() + posted.content.decode()


def test_the_hide_page_opens_a_comment_from_five_responses(client, coordinator, five_of_six):
    client.force_login(coordinator)
    answer = Answer.objects.filter(response__session=five_of_six, text=SECRET_COMMENT).first()

    response = client.get(reverse("evaluations:results-comment-hide", args=[answer.pk]))

    assert response.status_code == 200
    assert SECRET_COMMENT in response.content.decode()


# --- The order of comments says nothing about when anyone answered ---


@pytest.mark.parametrize("last_to_answer", ["Alpha", "Zulu"])
@pytest.mark.parametrize("who", ["coordinator", "lead"])
def test_comments_are_in_the_same_order_whoever_answered_last(
    client, request, coordinator, lead, region, last_to_answer, who
):
    # Four answer on the day; a fifth, chased by name a week later, answers last. Who was
    # chased stays on record, so a comment listed by when it came would name its writer.
    session = session_with(0, attendees=6, lead=lead, region=region)
    FreeTextRelease.objects.create(session=session, released_by=coordinator)
    texts = ["Alpha", "Bravo", "Charlie", "Delta", "Zulu"]
    early = [t for t in texts if t != last_to_answer]
    responses_for(session, 5, answers={"more_of": [*early, last_to_answer]})
    last = Response.objects.filter(session=session).order_by("pk").last()
    Response.objects.filter(session=session).exclude(pk=last.pk).update(
        submitted_on=timezone.localdate() - timedelta(days=7)
    )
    assert Answer.objects.get(response=last, question__key="more_of").text == last_to_answer
    client.force_login(request.getfixturevalue(who))

    html = text_of(client.get(reverse("evaluations:results-session", args=[session.pk])).content)
    report = report_html(session, with_names=True)

    for where in (html, report):
        assert re.findall(r"\b(Alpha|Bravo|Charlie|Delta|Zulu)\b", where) == texts


# --- A course's own question worded like one of the standard form's ---


def test_a_course_question_named_like_a_standard_one_is_counted_apart_and_withheld(
    client, coordinator, lead, region
):
    # Its key came from its words, "organisation", the standard rating's key: their answers
    # were counted together, so the one learner's choice showed as a bar among 6 "answers".
    session = session_with(0, attendees=6, lead=lead, region=region)
    course_form = course_form_create(course=session.course_version.course)
    extra = question_add(
        section=section_add(form=course_form, title="About this course"),
        text="Organisation",
        kind=Question.Kind.SINGLE,
        choices=["Tidy venue", "Messy venue"],
        required=False,
    )
    form_publish(form=course_form, by=coordinator)
    responses = responses_for(session, 5, course_form=course_form, ratings={"organisation": 4})
    Answer.objects.filter(question=extra).delete()
    Answer.objects.create(response=responses[0], question=extra, text="Messy venue")
    client.force_login(coordinator)

    html = text_of(client.get(reverse("evaluations:results-session", args=[session.pk])).content)
    _, rows = results_answer_rows(sessions=TrainingSession.objects.filter(pk=session.pk))

    assert "Messy venue" not in html
    assert "5 answers; mean <strong>4.0</strong> out of 5" in html
    assert QUESTION_WITHHELD in html
    assert "Messy venue" not in str(rows)
    assert extra.key != "organisation"


def test_a_new_standard_question_named_like_a_courses_own_gets_a_key_of_its_own(coordinator):
    course_form = course_form_create(course=CourseFactory())
    course_pace = question_add(
        section=section_add(form=course_form, title="About this course"),
        text="Pace",
        kind=Question.Kind.RATING,
        low_label="Slow",
        high_label="Fast",
    )
    draft = form_copy(form=standard_form())

    standard_pace = question_add(
        section=draft.sections.first(),
        text="Pace",
        kind=Question.Kind.RATING,
        low_label="Slow",
        high_label="Fast",
    )

    assert course_pace.key == "pace"
    assert standard_pace.key == "pace_2"
