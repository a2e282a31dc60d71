"""Each question on a results page has a server-drawn SVG chart and, beside it, a data table
with the same numbers."""

import re

import pytest
from django.urls import reverse

from evaluations.models import Question, Section
from sessions.models import Registration, TrainingSession
from tests.factories import (
    EvaluationFormFactory,
    TrainingSessionFactory,
    registrations_in_bulk,
    responses_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> TrainingSession:
    session = TrainingSessionFactory(status=TrainingSession.Status.DELIVERED)
    registrations_in_bulk(session, 3, status=Registration.Status.ATTENDED)
    return session


def page(client, user, session) -> str:
    client.force_login(user)
    response = client.get(reverse("evaluations:results-session", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_each_question_has_a_labelled_chart_and_a_table_beside_it(client, coordinator, session):
    responses_for(session, 5, ratings={"organisation": [5, 4, 4, 3, 3]})

    html = page(client, coordinator, session)

    chart = re.search(
        r'<svg [^>]*aria-labelledby="chart-organisation-title chart-organisation-desc"[^>]*>',
        html,
    )
    assert chart is not None
    assert 'role="img"' in chart.group(0)
    after = html[chart.end() :]
    svg, beside = after.split("</svg>", 1)
    assert '<title id="chart-organisation-title">How well organised' in svg
    assert '<desc id="chart-organisation-desc">Bar chart. 1 (' in svg
    table = beside.split("</table>", 1)[0]
    assert "<caption>Answers to “How well organised" in table
    assert '<th scope="col">Answer</th>' in table
    assert table.count('<th scope="row">') == 5


def test_every_chart_on_the_page_has_its_own_ids(client, coordinator, session):
    responses_for(session, 5)

    html = page(client, coordinator, session)

    ids = re.findall(r'<title id="([^"]+)"', html)
    assert len(ids) >= 5
    assert len(ids) == len(set(ids))


def test_a_chart_and_its_table_show_the_same_numbers(client, coordinator, session):
    responses_for(session, 5, answers={"recommend": [True, True, False, True, False]})

    html = re.sub(r"\s+", " ", page(client, coordinator, session))

    assert '<desc id="chart-recommend-desc">Bar chart. Yes: 3; No: 2.</desc>' in html
    table = html.split('<desc id="chart-recommend-desc">', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">Yes</th><td class="text-end">3</td>' in table
    assert '<th scope="row">No</th><td class="text-end">2</td>' in table


def test_question_text_and_choices_are_escaped_in_the_chart_and_the_table(
    client, coordinator, session
):
    course_form = EvaluationFormFactory(
        course=session.course_version.course, title="Extra", status="published"
    )
    section = Section.objects.create(form=course_form, title="Extra")
    Question.objects.create(
        section=section,
        key="pick",
        text="<i>Which</i>?",
        kind="single",
        choices=["<script>alert(1)</script>", "B"],
    )
    responses_for(session, 5, course_form=course_form, answers={"pick": "B"})

    html = page(client, coordinator, session)

    assert "<script>alert(1)</script>" not in html
    assert "<i>Which</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_results_page_uses_no_inline_styles_or_scripts(client, coordinator, session):
    responses_for(session, 5, answers={"most_useful": "Good"})

    html = page(client, coordinator, session)

    assert " style=" not in html
    assert "<script>" not in html
