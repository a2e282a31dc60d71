import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from people.models import Role
from tests.factories import TrainerFactory, UserFactory, WellbeingCheckInFactory
from trainers.models import Trainer, WellbeingCheckIn
from trainers.services import checkin_record

pytestmark = pytest.mark.django_db

NEW = reverse("trainers:checkin-create")
MINE = reverse("trainers:checkin-list-mine")


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


@pytest.fixture
def unsupported(other_trainer) -> Trainer:
    return TrainerFactory(user=other_trainer)


@pytest.fixture
def post_check_in(client, django_capture_on_commit_callbacks):
    """Post the check-in form as `who`, running what is queued after commit (the emails)."""

    def post(who, data: dict, **kwargs):
        client.force_login(who)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(NEW, data, **kwargs)

    return post


def _text(response) -> str:
    return response.content.decode()


def _input(html: str, name: str, value: str | None = None) -> str:
    """The <input> tag for a field (and a radio button's value), as rendered."""
    value_part = f'[^>]*value="{value}"' if value is not None else ""
    found = re.search(rf'<input[^>]*name="{name}"{value_part}[^>]*>', html)
    assert found, (name, value)
    return found.group(0)


# The service


def test_a_trainer_records_how_they_feel_before_delivering(profile):
    check_in = checkin_record(
        trainer=profile,
        by=profile.user,
        moment=WellbeingCheckIn.Moment.BEFORE,
        feeling=WellbeingCheckIn.Feeling.GOOD,
        notes="  A bit nervous but ready.  ",
    )

    check_in.refresh_from_db()
    assert check_in.trainer == profile
    assert check_in.feeling == WellbeingCheckIn.Feeling.GOOD
    assert check_in.notes == "A bit nervous but ready."
    assert check_in.wants_debrief is False


def test_nobody_else_can_record_a_check_in_for_a_trainer(profile, supporter):
    with pytest.raises(ValidationError, match="Only the trainer"):
        checkin_record(trainer=profile, by=supporter, moment="after", feeling=3)

    assert not WellbeingCheckIn.objects.exists()


def test_a_feeling_outside_the_choices_is_refused(profile):
    with pytest.raises(ValidationError) as error:
        checkin_record(trainer=profile, by=profile.user, moment="after", feeling=9)

    assert "feeling" in error.value.message_dict
    assert not WellbeingCheckIn.objects.exists()


def test_a_debrief_request_is_queued_for_the_supporter_about_the_check_in(profile, supporter):
    check_in = checkin_record(
        trainer=profile, by=profile.user, moment="after", feeling=2, wants_debrief=True
    )

    notification = Notification.objects.get()
    assert notification.kind == "debrief_requested"
    assert notification.related == check_in
    assert notification.recipient_user == supporter
    assert notification.recipient_email == supporter.email


def test_a_check_in_without_a_debrief_request_emails_nobody(profile):
    checkin_record(trainer=profile, by=profile.user, moment="after", feeling=4)

    assert not Notification.objects.exists()


def test_a_debrief_request_without_a_supporter_is_still_saved(unsupported):
    check_in = checkin_record(
        trainer=unsupported, by=unsupported.user, moment="after", feeling=1, wants_debrief=True
    )

    assert WellbeingCheckIn.objects.get() == check_in
    assert check_in.wants_debrief is True
    assert not Notification.objects.exists()


def test_a_supporter_whose_account_is_closed_is_not_emailed(profile, supporter):
    supporter.is_active = False
    supporter.save()

    checkin_record(trainer=profile, by=profile.user, moment="after", feeling=1, wants_debrief=True)

    assert not Notification.objects.exists()


# The form


def test_the_form_offers_each_feeling_as_a_labelled_radio_button(client, profile):
    client.force_login(profile.user)

    html = _text(client.get(NEW))

    assert "<legend" in html
    assert "How are you feeling?" in html
    for value, label in WellbeingCheckIn.Feeling.choices:
        radio = _input(html, "feeling", value)
        assert 'type="radio"' in radio
        radio_id = re.search(r'id="([^"]+)"', radio).group(1)
        assert re.search(rf'<label[^>]*for="{radio_id}"[^>]*>\s*{label}\s*</label>', html)
    assert re.search(r'<label[^>]*for="id_wants_debrief"[^>]*>\s*I would like a debrief', html)
    assert "novalidate" in html


def test_the_form_names_the_supporter_who_will_be_told(client, profile):
    client.force_login(profile.user)

    html = _text(client.get(NEW))

    assert "Sam Supporter" in html
    assert "You do not have a named supporter yet" not in html


def test_the_form_tells_a_trainer_without_a_supporter_clearly(client, unsupported):
    client.force_login(unsupported.user)

    html = _text(client.get(NEW))

    assert "You do not have a named supporter yet" in html
    assert "Your check-in will still be saved" in html


def test_a_check_in_is_saved_from_the_form_and_shown_to_the_trainer(client, profile, post_check_in):
    response = post_check_in(
        profile.user, {"moment": "before", "feeling": "4", "notes": "Feeling prepared."}
    )

    check_in = WellbeingCheckIn.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("trainers:checkin-detail", kwargs={"pk": check_in.pk})
    page = client.get(response.url)
    assert "Your check-in is saved." in _text(page)
    assert "Feeling prepared." in _text(page)
    assert "Good" in _text(page)
    assert mail.outbox == []


def test_asking_for_a_debrief_emails_the_supporter_at_once(client, profile, post_check_in):
    response = post_check_in(
        profile.user, {"moment": "after", "feeling": "2", "notes": "", "wants_debrief": "on"}
    )

    (message,) = mail.outbox
    assert message.to == ["supporter@example.org"]
    assert Notification.objects.get().status == Notification.Status.SENT
    page = client.get(response.url)
    assert "We have emailed Sam Supporter" in _text(page)


def test_the_debrief_email_says_who_asked_and_when_and_links_to_the_check_in(
    client, profile, supporter, post_check_in
):
    asked = timezone.now()
    post_check_in(profile.user, {"moment": "after", "feeling": "2", "wants_debrief": "on"})

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    check_in = WellbeingCheckIn.objects.get()
    link = "http://testserver" + reverse("trainers:checkin-detail", kwargs={"pk": check_in.pk})
    when = timezone.localtime(asked).strftime("%-d %B %Y")
    assert "Tasha Trainer would like a debrief" in message.body
    assert when in message.body
    assert link in message.body
    assert f'href="{link}"' in html
    assert "Tasha Trainer" not in message.subject
    client.force_login(supporter)
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_the_debrief_email_leaves_out_the_notes_and_the_feeling(profile, post_check_in):
    post_check_in(
        profile.user,
        {
            "moment": "after",
            "feeling": "1",
            "notes": "That story took a lot out of me",
            "wants_debrief": "on",
        },
    )

    (message,) = mail.outbox
    html = message.alternatives[0][0]
    stored = Notification.objects.get()
    for text in (message.subject, message.body, html, str(stored.context), stored.subject):
        assert "That story took a lot out of me" not in text
        assert "Very low" not in text


def test_a_debrief_request_without_a_supporter_is_saved_and_the_trainer_is_told(
    client, unsupported, post_check_in
):
    response = post_check_in(
        unsupported.user, {"moment": "after", "feeling": "1", "wants_debrief": "on"}
    )

    assert WellbeingCheckIn.objects.get().wants_debrief is True
    assert mail.outbox == []
    page = _text(client.get(response.url))
    assert "you do not have a named supporter yet, so nobody has been told" in page
    assert "Please contact your coordinator" in page


def test_a_check_in_without_a_feeling_is_refused_at_the_field_and_keeps_the_notes(
    profile, post_check_in
):
    response = post_check_in(
        profile.user, {"moment": "after", "notes": "Kept words", "wants_debrief": "on"}
    )

    html = _text(response)
    assert response.status_code == 200
    assert response.context["form"].errors == {"feeling": ["Choose how you are feeling."]}
    assert "Kept words" in html
    assert "checked" in _input(html, "wants_debrief")
    assert "checked" in _input(html, "moment", "after")
    assert "checked" not in _input(html, "moment", "before")
    assert not WellbeingCheckIn.objects.exists()
    assert mail.outbox == []


def test_a_check_in_without_a_moment_is_refused_at_the_field(profile, post_check_in):
    response = post_check_in(profile.user, {"feeling": "3"})

    assert response.context["form"].errors == {
        "moment": ["Choose whether this is before or after delivering."]
    }
    assert "checked" in _input(_text(response), "feeling", "3")


def test_a_made_up_feeling_is_refused_at_the_field(profile, post_check_in):
    response = post_check_in(profile.user, {"moment": "after", "feeling": "7"})

    assert "feeling" in response.context["form"].errors
    assert not WellbeingCheckIn.objects.exists()


def test_html_in_the_notes_is_shown_escaped(client, profile, supporter, post_check_in):
    response = post_check_in(
        profile.user, {"moment": "after", "feeling": "3", "notes": "<script>alert(1)</script>"}
    )

    for who in (profile.user, supporter):
        client.force_login(who)
        html = _text(client.get(response.url))
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html


def test_html_typed_into_a_refused_form_is_kept_escaped(profile, post_check_in):
    response = post_check_in(profile.user, {"moment": "after", "notes": "<b>bold</b>"})

    assert "&lt;b&gt;bold&lt;/b&gt;" in _text(response)
    assert "<b>bold</b>" not in _text(response)


# Who may use the form


def test_a_person_who_is_not_a_trainer_cannot_open_the_check_in_form(client, coordinator):
    client.force_login(coordinator)

    assert client.get(NEW).status_code == 403


def test_a_trainer_without_a_trainer_profile_gets_not_found(client, trainer):
    client.force_login(trainer)

    assert client.get(NEW).status_code == 404
    assert client.get(MINE).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in_from_the_form(client):
    response = client.get(NEW)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# The lists


def test_a_trainer_sees_their_check_ins_newest_first(client, profile):
    now = timezone.now()
    WellbeingCheckInFactory(trainer=profile, recorded_at=now - timedelta(days=2), feeling=1)
    WellbeingCheckInFactory(trainer=profile, recorded_at=now, feeling=5, wants_debrief=True)
    client.force_login(profile.user)

    response = client.get(MINE)

    assert [c.feeling for c in response.context["check_ins"]] == [5, 1]
    html = _text(response)
    assert html.index("Very good") < html.index("Very low")
    assert "<caption>" in html
    assert '<th scope="col">Feeling</th>' in html


def test_a_trainer_with_no_check_ins_is_told_so(client, profile):
    client.force_login(profile.user)

    assert "You have not recorded a check-in yet." in _text(client.get(MINE))


def test_the_supporter_sees_the_trainers_check_ins(client, profile, supporter):
    WellbeingCheckInFactory(trainer=profile, wants_debrief=True)
    client.force_login(supporter)

    response = client.get(reverse("trainers:checkin-list", kwargs={"pk": profile.pk}))

    assert response.status_code == 200
    assert len(response.context["check_ins"]) == 1
    assert "Wellbeing check-ins: Tasha Trainer" in _text(response)


# A signed-in page with a list: the session, the person, their role groups, their second-factor
# device, the trainer, the page's count and the page of rows. Nothing grows with the data.
LIST_QUERIES = 7


@pytest.mark.parametrize("count", [1, 300])
@pytest.mark.parametrize("who", ["trainer", "supporter"])
def test_the_check_in_lists_run_a_bounded_number_of_queries(client, profile, supporter, who, count):
    WellbeingCheckIn.objects.bulk_create(
        WellbeingCheckIn(trainer=profile, moment="after", feeling=3) for _ in range(count)
    )
    reader = profile.user if who == "trainer" else supporter
    url = MINE if who == "trainer" else reverse("trainers:checkin-list", kwargs={"pk": profile.pk})
    client.force_login(reader)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(queries) <= LIST_QUERIES
