"""A learner answers the session's form at /evaluate/<token>/ without an account, on a phone:
the standard form's questions and the course's own, a content note and where to find support.
A missed required answer keeps the rest; bad input and bad links are refused clearly and store
nothing; a link takes exactly one response, kept without any link to the learner. Learners
without their email use the session's short link /evaluate/s/<check-in code>/."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Answer, EvaluationForm, Invitation, Question, Response
from evaluations.services import (
    NOT_ON_THE_FORM,
    SHORT_LINK_NOT_FOUND,
    InvitationExpired,
    InvitationUsed,
    invitation_ensure,
    response_submit,
)
from sessions.models import Registration, TrainingSession
from tests.evaluations.response_helpers import (
    course_questions,
    delivered_session,
    good_answers,
    invitation_for,
    question,
    respond_url,
    service_answers,
)
from tests.factories import ParticipantFactory, RegistrationFactory, standard_form
from tests.sessions.registration_helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation() -> Invitation:
    session = delivered_session(course_version__course__title="Hearing Voices")
    return invitation_for(session)


def nothing_stored(invitation: Invitation) -> bool:
    invitation.refresh_from_db()
    return not Response.objects.exists() and not Answer.objects.exists() and not invitation.used


def field(q: Question) -> str:
    return f"q_{q.pk}"


# --- The form ---


def test_the_form_shows_the_session_the_content_note_and_support(client, invitation):
    page = text(client.get(respond_url(invitation)))

    assert "Hearing Voices" in page
    session = invitation.registration.session
    assert f"{session.starts_at:%-d} {session.starts_at:%B %Y}" in page
    assert "Your answers are anonymous" in page
    assert "Where to find support" in page
    assert "116 123" in page
    for q in Question.objects.filter(section__form=standard_form()):
        assert q.text.replace("'", "&#x27;") in page


def test_a_rating_is_a_group_of_five_radios_with_labelled_ends(client, invitation):
    page = text(client.get(respond_url(invitation)))

    q = question("outcomes_met")
    group = re.search(
        r"<fieldset.*?</fieldset>", page[page.index(f'id="div_id_{field(q)}"') :], re.S
    )[0]
    assert "<legend" in group
    assert q.text in group
    assert len(re.findall(rf'type="radio"[^>]*name="{field(q)}"', group)) == 5
    assert "1 – Not at all" in group
    assert "5 – Completely" in group


def test_text_answers_say_how_long_they_may_be(client, invitation):
    course_questions(invitation.registration.session.course_version.course)

    page = text(client.get(respond_url(invitation)))

    assert "Up to 500 characters." in page
    assert "Up to 5,000 characters." in page


def test_the_page_is_never_cached_or_indexed(client, invitation):
    response = client.get(respond_url(invitation))

    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"


# --- Responding ---


def test_a_learner_responds_once_and_is_thanked(client, invitation):
    response = client.post(respond_url(invitation), good_answers(), follow=True)

    assert "Thank you for your feedback" in text(response)
    invitation.refresh_from_db()
    assert invitation.used
    stored = Response.objects.get()
    assert stored.session == invitation.registration.session
    assert stored.form == standard_form()
    assert stored.course_form is None
    assert stored.answers.get(question=question("outcomes_met")).number == 4
    assert stored.answers.get(question=question("confidence_before")).number == 2
    assert stored.answers.get(question=question("recommend")).boolean is True
    assert stored.answers.get(question=question("more_of")).text == "Answer to more_of"


def test_a_response_keeps_nothing_that_leads_back_to_the_learner(client, invitation):
    client.post(respond_url(invitation), good_answers())

    names = {f.name for f in Response._meta.get_fields()}
    assert names.isdisjoint({"invitation", "registration", "participant", "created_at"})
    assert Response.objects.get().submitted_on == timezone.localdate()


def test_the_thank_you_page_offers_the_learners_own_certificate(client, invitation):
    client.post(respond_url(invitation), good_answers())

    page = text(
        client.get(reverse("evaluations:respond-thanks", kwargs={"token": invitation.token}))
    )

    certificate = reverse("evaluations:document-certificate", kwargs={"token": invitation.token})
    assert "Thank you for your feedback" in page
    assert certificate in page


def test_the_thank_you_page_before_responding_leads_to_the_form(client, invitation):
    response = client.get(reverse("evaluations:respond-thanks", kwargs={"token": invitation.token}))

    assert response.url == respond_url(invitation)


def test_optional_questions_may_be_left_empty(client, invitation):
    data = good_answers()
    for key in ("most_useful", "to_improve", "more_of", "less_of", "stop_doing"):
        data[field(question(key))] = "   "

    client.post(respond_url(invitation), data)

    assert Response.objects.get().answers.count() == 6


def test_the_courses_own_questions_are_asked_and_stored(client, invitation):
    extra = course_questions(invitation.registration.session.course_version.course)

    page = text(client.get(respond_url(invitation)))
    client.post(respond_url(invitation), good_answers(standard_form(), extra))

    assert "About this course" in page
    assert "The role play" in page
    stored = Response.objects.get()
    assert stored.course_form == extra
    assert stored.answers.get(question=question("best_part", extra)).text == "The stories"
    assert stored.answers.get(question=question("topics", extra)).selected == ["Voices", "Risk"]


# --- A missed answer ---


def test_a_missed_required_answer_is_marked_and_the_rest_kept(client, invitation):
    data = good_answers()
    missed = question("organisation")
    del data[field(missed)]
    data[field(question("most_useful"))] = "The story circle"

    response = client.post(respond_url(invitation), data)

    page = text(response)
    assert response.status_code == 200
    assert "Your feedback has not been sent yet" in page
    assert f'href="#id_{field(missed)}_0"' in page
    assert f"{missed.text} — Choose a number from 1 to 5." in page
    section = page[page.index(f'id="div_id_{field(missed)}"') :][:3000]
    assert "Choose a number from 1 to 5." in section
    assert "The story circle" in page
    assert re.search(rf'name="{field(question("outcomes_met"))}" value="4"[^>]*checked', page)
    assert nothing_stored(invitation)


# --- Bad input ---


@pytest.mark.parametrize("rating", ["7", "0", "x", "4.5", ""])
def test_a_rating_outside_1_to_5_is_refused(client, invitation, rating):
    data = good_answers() | {field(question("outcomes_met")): rating}

    page = text(client.post(respond_url(invitation), data))

    assert "Choose a number from 1 to 5." in page
    assert nothing_stored(invitation)


def test_an_answer_to_a_question_not_on_the_form_is_refused(client, invitation):
    other_course = delivered_session().course_version.course
    foreign = question("best_part", course_questions(other_course))
    data = good_answers() | {field(foreign): "The stories"}

    page = text(client.post(respond_url(invitation), data))

    assert NOT_ON_THE_FORM in page.replace("&#x27;", "'")
    assert nothing_stored(invitation)


def test_100_kb_in_a_short_answer_is_refused(client, invitation):
    extra = course_questions(invitation.registration.session.course_version.course)
    data = good_answers(standard_form(), extra) | {
        field(question("one_word", extra)): "x" * 102_400
    }

    page = text(client.post(respond_url(invitation), data))

    assert "Keep your answer to 500 characters or fewer: it has 102400." in page
    assert nothing_stored(invitation)


def test_a_long_answer_takes_5000_characters_and_no_more(client, invitation):
    key = field(question("most_useful"))

    page = text(client.post(respond_url(invitation), good_answers() | {key: "y" * 5001}))
    assert "Keep your answer to 5,000 characters or fewer: it has 5001." in page
    assert nothing_stored(invitation)

    client.post(respond_url(invitation), good_answers() | {key: "y" * 5000})
    assert len(Answer.objects.get(question=question("most_useful")).text) == 5000


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("best_part", "Something else", "Choose one of the options shown."),
        ("topics", ["Voices", "Lunch"], "Choose only from the options shown."),
    ],
)
def test_a_choice_not_offered_is_refused(client, invitation, key, value, message):
    extra = course_questions(invitation.registration.session.course_version.course)
    data = good_answers(standard_form(), extra) | {field(question(key, extra)): value}

    page = text(client.post(respond_url(invitation), data))

    assert message in page
    assert nothing_stored(invitation)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("outcomes_met", 7, "Choose a number from 1 to 5."),
        ("outcomes_met", True, "Choose a number from 1 to 5."),
        ("recommend", "maybe", "Choose yes or no."),
        ("organisation", None, "Choose a number from 1 to 5."),
        ("more_of", "z" * 5001, "Keep your answer to 5,000 characters"),
    ],
)
def test_the_service_refuses_what_the_question_does_not_allow(invitation, key, value, message):
    answers = service_answers() | {question(key).pk: value}

    with pytest.raises(ValidationError, match=re.escape(message)):
        response_submit(invitation=invitation, answers=answers)

    assert nothing_stored(invitation)


def test_the_service_refuses_a_question_from_another_form(invitation):
    foreign = question("best_part", course_questions(delivered_session().course_version.course))

    with pytest.raises(ValidationError, match="not on this form"):
        response_submit(invitation=invitation, answers=service_answers() | {foreign.pk: "x"})

    assert nothing_stored(invitation)


# --- Bad links ---


def test_an_expired_link_is_refused_and_stores_nothing(client, invitation):
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)):
        shown = client.get(respond_url(invitation))
        posted = client.post(respond_url(invitation), good_answers())
        with pytest.raises(InvitationExpired):
            response_submit(invitation=invitation, answers=service_answers())

    assert shown.status_code == posted.status_code == 410
    assert "This link has expired" in text(shown)
    assert "This link has expired" in text(posted)
    assert nothing_stored(invitation)


@pytest.mark.parametrize(
    # Tampered with a token character: the `token` converter takes only those, so the last one
    # becomes another (once in 64 runs it was already "A").
    "make_token",
    [lambda t: "no-such-link", lambda t: t[:-1] + "AB"[t[-1] == "A"]],
)
def test_an_unknown_or_tampered_link_is_not_found_with_a_helpful_page(
    client, invitation, make_token
):
    url = reverse("evaluations:respond", kwargs={"token": make_token(invitation.token)})

    shown, posted = client.get(url), client.post(url, good_answers())

    assert shown.status_code == posted.status_code == 404
    assert "This link does not work" in text(shown)
    assert "copy the whole link" in text(shown)
    assert nothing_stored(invitation)


def test_a_used_link_is_refused_politely_and_stores_nothing_more(client, invitation):
    client.post(respond_url(invitation), good_answers())

    shown = client.get(respond_url(invitation))
    posted = client.post(respond_url(invitation), good_answers())

    for response in (shown, posted):
        assert "You have already given your feedback — thank you" in text(response)
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 11
    with pytest.raises(InvitationUsed):
        response_submit(invitation=invitation, answers=service_answers())


def test_the_link_of_someone_marked_absent_after_all_does_not_work(client, invitation):
    Registration.objects.filter(pk=invitation.registration_id).update(
        status=Registration.Status.NO_SHOW
    )

    assert client.get(respond_url(invitation)).status_code == 404


def test_without_a_published_form_nothing_is_asked_or_stored(client, invitation):
    EvaluationForm.objects.update(status=EvaluationForm.Status.RETIRED)

    page = text(client.post(respond_url(invitation), good_answers()))

    assert "The feedback form is not ready yet" in page
    assert nothing_stored(invitation)


# --- The short link ---


def short_url(session: TrainingSession, code: str | None = None) -> str:
    return reverse("evaluations:respond-short-link", kwargs={"code": code or session.check_in_code})


@pytest.fixture
def attendee():
    standard_form()
    return RegistrationFactory(
        session=delivered_session(),
        status=Registration.Status.ATTENDED,
        participant=ParticipantFactory(email="Ada.Lovelace@example.org"),
    )


def test_the_short_link_asks_for_the_email_registered_with(client, attendee):
    page = text(client.get(short_url(attendee.session, attendee.session.check_in_code.lower())))

    assert "The email address you registered with" in page


def test_an_attendee_without_an_invitation_gets_one_and_their_form(client, attendee):
    response = client.post(short_url(attendee.session), {"email": "ada.lovelace@EXAMPLE.org "})

    invitation = Invitation.objects.get(registration=attendee)
    assert response.url == respond_url(invitation)
    assert client.post(response.url, good_answers()).status_code == 302
    assert Response.objects.count() == 1


def test_an_attendee_with_an_invitation_gets_the_same_one(client, attendee):
    invitation = invitation_ensure(registration=attendee)

    response = client.post(short_url(attendee.session), {"email": "ada.lovelace@example.org"})

    assert response.url == respond_url(invitation)
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    "case", ["unknown address", "did not attend", "already responded", "link expired"]
)
def test_the_short_link_says_the_same_whatever_is_wrong(client, attendee, case):
    email = "ada.lovelace@example.org"
    if case == "unknown address":
        email = "someone.else@example.org"
    elif case == "did not attend":
        Registration.objects.filter(pk=attendee.pk).update(status=Registration.Status.NO_SHOW)
    else:
        invitation = invitation_for(attendee.session)
        attendee = invitation.registration
        email = attendee.participant.email
        if case == "already responded":
            Invitation.objects.filter(pk=invitation.pk).update(used=True)
        else:
            Invitation.objects.filter(pk=invitation.pk).update(
                expires_at=invitation.created_at - timedelta(days=1)
            )

    response = client.post(short_url(attendee.session), {"email": email})

    assert response.status_code == 200
    assert SHORT_LINK_NOT_FOUND in text(response).replace("&#x27;", "'")
    assert not Response.objects.exists()


def test_the_short_link_opens_nothing_before_the_session_is_delivered(client, attendee):
    TrainingSession.objects.filter(pk=attendee.session_id).update(
        status=TrainingSession.Status.CONFIRMED
    )

    shown = text(client.get(short_url(attendee.session)))
    client.post(short_url(attendee.session), {"email": "ada.lovelace@example.org"})

    assert "Feedback opens when the trainers have finished the session" in shown
    assert not Invitation.objects.exists()


def test_the_short_link_closes_30_days_after_the_session(client, attendee):
    with time_machine.travel(attendee.session.ends_at + timedelta(days=30, minutes=1)):
        shown = text(client.get(short_url(attendee.session)))
        client.post(short_url(attendee.session), {"email": "ada.lovelace@example.org"})

    assert "Feedback for this session closed on" in shown
    assert not Invitation.objects.exists()


def test_a_bad_email_is_marked_at_the_field_and_kept(client, attendee):
    page = text(client.post(short_url(attendee.session), {"email": "not an email"}))

    assert "Enter an email address like name@example.org." in page
    assert 'value="not an email"' in page


def test_too_many_wrong_addresses_from_one_place_are_paused(client, attendee):
    for n in range(20):
        client.post(short_url(attendee.session), {"email": f"guess{n}@example.org"})

    page = text(client.post(short_url(attendee.session), {"email": "ada.lovelace@example.org"}))

    assert "too many tries from here" in page
    assert not Invitation.objects.exists()


def test_an_unknown_short_link_is_not_found(client):
    assert (
        client.get(reverse("evaluations:respond-short-link", kwargs={"code": "NOPE"})).status_code
        == 404
    )


def test_the_form_runs_a_bounded_number_of_queries(
    client, invitation, django_assert_max_num_queries
):
    extra = course_questions(invitation.registration.session.course_version.course)

    with django_assert_max_num_queries(8):
        assert client.get(respond_url(invitation)).status_code == 200
    # 19: the answers, the session's row lock and counting the response into its batch.
    with django_assert_max_num_queries(19):
        answers = good_answers(standard_form(), extra)
        assert client.post(respond_url(invitation), answers).status_code == 302
