from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Role
from tests.factories import (
    SupportSessionFactory,
    TrainerFactory,
    UserFactory,
    WellbeingCheckInFactory,
)
from trainers.models import SupportSession, Trainer
from trainers.services import support_session_record

pytestmark = pytest.mark.django_db

# Midday in London, so "today" is the same day in UTC and in the UK.
TODAY = date(2025, 6, 18)
NOW = "2025-06-18 12:00:00+01:00"
MINE = reverse("trainers:support-list-mine")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def supporter(db):
    return UserFactory(
        email="supporter@example.org", full_name="Sam Supporter", roles=[Role.COORDINATOR]
    )


@pytest.fixture
def profile(trainer, supporter) -> Trainer:
    trainer.full_name = "Tasha Trainer"
    trainer.save()
    return TrainerFactory(user=trainer, supporter=supporter)


def new_url(trainer: Trainer) -> str:
    return reverse("trainers:support-create", kwargs={"pk": trainer.pk})


def form_data(**overrides) -> dict:
    return {
        "kind": SupportSession.Kind.SUPERVISION,
        "held_on": "2025-06-17",
        "notes": "Talked through the first co-delivery.",
        "agreed_actions": "Shadow one more session.",
        "next_on": "2025-07-15",
        **overrides,
    }


def _text(response) -> str:
    return response.content.decode()


# The service


def test_the_supporter_records_a_session_with_actions_and_the_next_date(profile, supporter):
    session = support_session_record(
        trainer=profile,
        by=supporter,
        kind=SupportSession.Kind.SUPERVISION,
        held_on=date(2025, 6, 10),
        notes=" Went well. ",
        agreed_actions="Book the T3 course.",
        next_on=date(2025, 7, 8),
    )

    session.refresh_from_db()
    assert session.trainer == profile
    assert session.supporter == supporter
    assert session.kind == SupportSession.Kind.SUPERVISION
    assert session.notes == "Went well."
    assert session.agreed_actions == "Book the T3 course."
    assert session.next_on == date(2025, 7, 8)


def test_someone_who_is_not_the_named_supporter_cannot_record_a_session(profile, coordinator):
    with pytest.raises(ValidationError, match="named supporter"):
        support_session_record(trainer=profile, by=coordinator, held_on=TODAY)

    assert not SupportSession.objects.exists()


def test_the_trainer_cannot_record_their_own_support_session(profile):
    with pytest.raises(ValidationError, match="named supporter"):
        support_session_record(trainer=profile, by=profile.user, held_on=TODAY)


def test_a_trainer_without_a_supporter_has_no_sessions_recorded(trainer, coordinator):
    lonely = TrainerFactory(user=trainer)

    with pytest.raises(ValidationError, match="named supporter"):
        support_session_record(trainer=lonely, by=coordinator, held_on=TODAY)


def test_a_session_held_today_is_accepted(profile, supporter):
    session = support_session_record(trainer=profile, by=supporter, held_on=TODAY)

    assert session.held_on == TODAY


def test_a_session_dated_in_the_future_is_refused(profile, supporter):
    with pytest.raises(ValidationError) as error:
        support_session_record(trainer=profile, by=supporter, held_on=TODAY + timedelta(days=1))

    assert list(error.value.message_dict) == ["held_on"]
    assert not SupportSession.objects.exists()


def test_a_next_session_before_this_one_is_refused(profile, supporter):
    with pytest.raises(ValidationError) as error:
        support_session_record(
            trainer=profile,
            by=supporter,
            held_on=date(2025, 6, 10),
            next_on=date(2025, 6, 9),
        )

    assert error.value.message_dict == {"next_on": ["The next session can’t be before this one."]}


def test_a_next_session_on_the_same_day_is_accepted(profile, supporter):
    session = support_session_record(
        trainer=profile, by=supporter, held_on=date(2025, 6, 10), next_on=date(2025, 6, 10)
    )

    assert session.next_on == date(2025, 6, 10)


def test_a_made_up_kind_of_session_is_refused(profile, supporter):
    with pytest.raises(ValidationError) as error:
        support_session_record(trainer=profile, by=supporter, held_on=TODAY, kind="coaching")

    assert "kind" in error.value.message_dict


# The form


def test_the_form_has_visible_labels_and_no_browser_validation(client, profile, supporter):
    client.force_login(supporter)

    html = _text(client.get(new_url(profile)))

    for field, label in [
        ("held_on", "Date of the session"),
        ("notes", "Notes"),
        ("agreed_actions", "Agreed actions"),
        ("next_on", "Next session (optional)"),
    ]:
        assert f'for="id_{field}"' in html
        assert label in html
    assert "<legend" in html
    assert "Kind of session" in html
    assert 'type="date"' in html
    assert "novalidate" in html
    assert "Tasha Trainer" in html


def test_the_supporter_records_a_session_from_the_form_and_sees_it(client, profile, supporter):
    client.force_login(supporter)

    response = client.post(new_url(profile), form_data())

    session = SupportSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("trainers:support-detail", kwargs={"pk": session.pk})
    page = _text(client.get(response.url))
    assert "The support session is saved." in page
    assert "Talked through the first co-delivery." in page
    assert "Shadow one more session." in page
    assert "Tuesday 15 July 2025" in page
    assert session.supporter == supporter


def test_a_future_session_date_is_refused_at_the_field_and_keeps_what_was_typed(
    client, profile, supporter
):
    client.force_login(supporter)

    response = client.post(new_url(profile), form_data(held_on="2025-06-19", next_on=""))

    html = _text(response)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["held_on"]
    assert "The session date is in the future." in html
    assert 'value="2025-06-19"' in html
    assert "Talked through the first co-delivery." in html
    assert "Shadow one more session." in html
    assert not SupportSession.objects.exists()


def test_a_next_date_before_the_session_is_refused_at_the_field(client, profile, supporter):
    client.force_login(supporter)

    response = client.post(new_url(profile), form_data(next_on="2025-06-01"))

    assert response.context["form"].errors == {
        "next_on": ["The next session can’t be before this one."]
    }
    assert 'value="2025-06-01"' in _text(response)
    assert not SupportSession.objects.exists()


def test_a_missing_session_date_is_refused_with_a_clear_message(client, profile, supporter):
    client.force_login(supporter)

    response = client.post(new_url(profile), form_data(held_on=""))

    assert response.context["form"].errors == {"held_on": ["Enter the date the session was held."]}


def test_a_date_that_is_not_a_date_is_refused_and_kept(client, profile, supporter):
    client.force_login(supporter)

    response = client.post(new_url(profile), form_data(held_on="31/02/2025"))

    assert response.context["form"].errors == {
        "held_on": ["Enter a real date, for example 14/06/2025."]
    }
    assert 'value="31/02/2025"' in _text(response)


def test_html_in_the_notes_is_shown_escaped(client, profile, supporter):
    client.force_login(supporter)
    response = client.post(
        new_url(profile),
        form_data(notes="<script>alert(1)</script>", agreed_actions="<img src=x onerror=alert(2)>"),
    )

    for who in (supporter, profile.user):
        client.force_login(who)
        html = _text(client.get(response.url))
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(2)&gt;" in html
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html


def test_html_typed_into_a_refused_form_is_kept_escaped(client, profile, supporter):
    client.force_login(supporter)

    response = client.post(new_url(profile), form_data(held_on="", notes="<b>bold</b>"))

    assert "&lt;b&gt;bold&lt;/b&gt;" in _text(response)
    assert "<b>bold</b>" not in _text(response)


# The lists


def test_the_trainer_sees_their_sessions_newest_first_with_the_next_date(client, profile):
    SupportSessionFactory(trainer=profile, held_on=date(2025, 5, 1), next_on=date(2025, 6, 1))
    SupportSessionFactory(
        trainer=profile,
        held_on=date(2025, 6, 1),
        kind=SupportSession.Kind.SUPERVISION,
        next_on=date(2025, 7, 1),
    )
    client.force_login(profile.user)

    response = client.get(MINE)

    html = _text(response)
    assert [s.held_on for s in response.context["support_sessions"]] == [
        date(2025, 6, 1),
        date(2025, 5, 1),
    ]
    assert 'Next session: <strong><time datetime="2025-07-01">Tuesday 1 July 2025' in html
    assert html.index("1 Jun 2025") < html.index("1 May 2025")
    assert "Sam Supporter" in html
    assert "<caption>" in html
    assert '<th scope="col">Kind</th>' in html
    assert "Record a support session" not in html


def test_the_trainer_with_no_sessions_is_told_so(client, profile):
    client.force_login(profile.user)

    assert "No support sessions recorded yet." in _text(client.get(MINE))


def test_a_trainer_without_a_supporter_is_told_on_their_list(client, trainer):
    TrainerFactory(user=trainer)
    client.force_login(trainer)

    assert "You do not have a named supporter yet." in _text(client.get(MINE))


def test_the_supporter_sees_the_list_and_a_way_to_record_a_session(client, profile, supporter):
    SupportSessionFactory(trainer=profile)
    client.force_login(supporter)

    response = client.get(reverse("trainers:support-list", kwargs={"pk": profile.pk}))

    assert len(response.context["support_sessions"]) == 1
    assert f'href="{new_url(profile)}"' in _text(response)


def test_sessions_recorded_by_an_earlier_supporter_stay_with_the_trainer(
    client, profile, supporter
):
    earlier = UserFactory(full_name="Earlier Supporter", roles=[Role.COORDINATOR])
    SupportSessionFactory(trainer=profile, supporter=earlier)
    client.force_login(supporter)

    response = client.get(reverse("trainers:support-list", kwargs={"pk": profile.pk}))

    assert "Earlier Supporter" in _text(response)


def test_a_person_who_is_not_a_trainer_cannot_open_my_support_sessions(client, coordinator):
    client.force_login(coordinator)

    assert client.get(MINE).status_code == 403


def test_a_trainer_without_a_trainer_profile_gets_not_found(client, trainer):
    client.force_login(trainer)

    assert client.get(MINE).status_code == 404


# A signed-in page with a list: the session, the person, their role groups, their second-factor
# device, the trainer, the page's count and the page of rows with their supporters. Nothing grows
# with the data.
LIST_QUERIES = 7


@pytest.mark.parametrize("count", [1, 300])
@pytest.mark.parametrize("who", ["trainer", "supporter"])
def test_the_support_lists_run_a_bounded_number_of_queries(client, profile, supporter, who, count):
    supporters = [UserFactory(roles=[Role.COORDINATOR]) for _ in range(3)]
    SupportSession.objects.bulk_create(
        SupportSession(
            trainer=profile, supporter=supporters[n % 3], held_on=TODAY - timedelta(days=n)
        )
        for n in range(count)
    )
    reader = profile.user if who == "trainer" else supporter
    url = MINE if who == "trainer" else reverse("trainers:support-list", kwargs={"pk": profile.pk})
    client.force_login(reader)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(queries) <= LIST_QUERIES


# People I support


def test_a_supporter_sees_the_trainers_they_support_and_their_last_debrief_request(
    client, coordinator
):
    supported = TrainerFactory(supporter=coordinator)
    WellbeingCheckInFactory(trainer=supported, wants_debrief=True)
    other = TrainerFactory()
    client.force_login(coordinator)

    response = client.get("/me/supporting/")

    assert list(response.context["trainers"]) == [supported]
    assert response.context["trainers"][0].latest_debrief_at is not None
    assert other.user.full_name not in response.content.decode()


def test_someone_who_supports_nobody_is_told_so(client, team_lead):
    client.force_login(team_lead)

    response = client.get("/me/supporting/")

    assert "not the named supporter of any trainer" in response.content.decode()


def test_a_signed_out_visitor_is_sent_to_sign_in_from_people_i_support(client, db):
    assert client.get("/me/supporting/").url.startswith("/accounts/sign-in/")


def test_people_i_support_runs_a_bounded_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    for _ in range(30):
        WellbeingCheckInFactory(trainer=TrainerFactory(supporter=coordinator), wants_debrief=True)
    client.force_login(coordinator)

    with django_assert_max_num_queries(6):
        response = client.get("/me/supporting/")

    assert len(response.context["trainers"]) == 30
