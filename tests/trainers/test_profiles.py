"""A trainer keeps their own profile at /me/; coordinators see trainers without their private
answers at /trainers/ and /trainers/<pk>/, and name their supporter and programme there."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from people.models import Role
from tests.factories import (
    CertificationFactory,
    RegionFactory,
    T3ProgrammeFactory,
    T3RequirementFactory,
    TrainerFactory,
    UserFactory,
    trainers_in_bulk,
)
from trainers.audit_actions import TrainerAction
from trainers.models import Certification, Involvement, T3Progress, Trainer
from trainers.services import (
    trainer_assign,
    trainer_profile_update,
    trainer_return,
    trainer_step_back,
)

pytestmark = pytest.mark.django_db

PROFILE = reverse("trainers:my-profile")
PRIVATE = {
    "topics_will_speak_about": "PRIVATE-WILL-SPEAK-1181",
    "topics_will_not_speak_about": "PRIVATE-WILL-NOT-SPEAK-2292",
    "story_sharing": "PRIVATE-STORY-3303",
    "lived_experience_notes": "PRIVATE-LIVED-EXPERIENCE-4414",
}


def form_data(trainer: Trainer, **changes) -> dict:
    data = {
        "region": trainer.region_id,
        "involvement": ["co_deliver", "evaluate"],
        "topics_will_speak_about": "Hearing voices",
        "topics_will_not_speak_about": "My family",
        "story_sharing": "The outline only",
        "lived_experience_notes": "Some notes",
        "max_sessions_per_month": "3",
        "reasonable_adjustments": "Breaks every hour",
        "reminder_lead_days": "5",
        "payment_choice": Trainer.Payment.EXPENSES_ONLY,
        "yearly_earnings_limit": "1200.50",
    }
    return {**data, **changes}


def service_arguments(trainer: Trainer, **changes) -> dict:
    arguments = {
        "region": trainer.region,
        "involvement": ["lead"],
        "max_sessions_per_month": 2,
        "reminder_lead_days": 7,
        "payment_choice": Trainer.Payment.PAID,
    }
    return {**arguments, **changes}


@pytest.fixture
def me(client) -> Trainer:
    trainer = TrainerFactory()
    client.force_login(trainer.user)
    return trainer


# The trainer's own profile


def test_a_trainer_sees_their_profile_form_with_their_answers(client, me):
    me.lived_experience_notes = "I have used services for ten years"
    me.save()

    response = client.get(PROFILE)

    assert response.status_code == 200
    assert "I have used services for ten years" in response.content.decode()


def test_the_page_says_which_answers_are_private_and_names_the_supporter(client, me):
    me.supporter = UserFactory(full_name="Sam Supporter", roles=[Role.COORDINATOR])
    me.save()

    page = client.get(PROFILE).content.decode()

    assert "My boundaries and story (private)" in page
    assert "Only you and your supporter, Sam Supporter," in page
    assert "Your named supporter is <strong>Sam Supporter</strong>" in page


def test_a_trainer_without_a_supporter_is_told_so(client, me):
    page = client.get(PROFILE).content.decode()

    assert "You do not have a named supporter yet" in page


def test_a_trainer_saves_their_profile(client, me):
    region = RegionFactory(name="Manchester")

    response = client.post(PROFILE, form_data(me, region=region.pk))

    assert response.status_code == 302
    me.refresh_from_db()
    assert me.region == region
    assert me.involvement == ["co_deliver", "evaluate"]
    assert me.topics_will_not_speak_about == "My family"
    assert me.story_sharing == "The outline only"
    assert me.max_sessions_per_month == 3
    assert me.reasonable_adjustments == "Breaks every hour"
    assert me.reminder_lead_days == 5
    assert me.payment_choice == Trainer.Payment.EXPENSES_ONLY
    assert me.yearly_earnings_limit == Decimal("1200.50")


def test_involvement_is_offered_as_checkboxes_of_every_choice(client, me):
    page = client.get(PROFILE).content.decode()

    for value, label in Involvement.choices:
        assert re.search(rf'type="checkbox"[^>]*name="involvement" value="{value}"', page)
        assert label in page


def test_no_involvement_ticked_is_saved_as_none(client, me):
    data = form_data(me)
    del data["involvement"]

    client.post(PROFILE, data)

    me.refresh_from_db()
    assert me.involvement == []


def test_an_empty_earnings_limit_means_no_limit(client, me):
    me.yearly_earnings_limit = Decimal("100")
    me.save()

    client.post(PROFILE, form_data(me, yearly_earnings_limit=""))

    me.refresh_from_db()
    assert me.yearly_earnings_limit is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_sessions_per_month", "0", "Choose a number from 1 to 20."),
        ("max_sessions_per_month", "1000", "Choose a number from 1 to 20."),
        ("max_sessions_per_month", "", "Choose a number from 1 to 20."),
        ("max_sessions_per_month", "two", "Enter a whole number from 1 to 20."),
        ("reminder_lead_days", "0", "Choose a number of days from 1 to 28."),
        ("reminder_lead_days", "29", "Choose a number of days from 1 to 28."),
        ("yearly_earnings_limit", "-1", "The limit cannot be less than £0."),
        ("yearly_earnings_limit", "lots", "Enter an amount in pounds, like 1200 or 1200.50."),
        ("yearly_earnings_limit", "10.999", "at most 2 digits for pence"),
        ("region", "", "Choose your region."),
        ("payment_choice", "", "Choose how you would like to be paid."),
        ("involvement", ["fundraise"], "Choose only from the ways listed."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(client, me, field, value, message):
    before = Trainer.objects.values().get(pk=me.pk)

    response = client.post(PROFILE, form_data(me, **{field: value}))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Trainer.objects.values().get(pk=me.pk) == before


def test_bad_input_keeps_everything_the_trainer_typed(client, me):
    response = client.post(
        PROFILE, form_data(me, max_sessions_per_month="1000", story_sharing="Only the outline")
    )

    page = response.content.decode()
    assert 'value="1000"' in page
    assert "Only the outline" in page
    assert 'value="1200.50"' in page


def test_html_in_text_fields_is_shown_escaped(client, me):
    script = "<script>alert('x')</script>"
    client.post(PROFILE, form_data(me, reasonable_adjustments=script, story_sharing=script))

    page = client.get(PROFILE).content.decode()

    assert script not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_html_typed_into_a_refused_form_is_shown_escaped(client, me):
    script = "<script>alert(1)</script>"

    response = client.post(
        PROFILE, form_data(me, max_sessions_per_month="0", lived_experience_notes=script)
    )

    assert script not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER, Role.TEAM_LEAD, Role.TRAINER])
def test_someone_without_a_trainer_profile_gets_not_found(client, role):
    client.force_login(UserFactory(roles=[role]))

    for name in ("my-profile", "my-training"):
        assert client.get(reverse(f"trainers:{name}")).status_code == 404
    for name in ("my-step-back", "my-return"):
        assert client.post(reverse(f"trainers:{name}")).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client):
    for name in ("my-profile", "my-training", "my-step-back", "my-return"):
        response = client.post(reverse(f"trainers:{name}"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_service_refuses_an_unknown_way_of_being_involved(me):
    with pytest.raises(ValidationError) as error:
        trainer_profile_update(trainer=me, **service_arguments(me, involvement=["fundraise"]))

    assert "involvement" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_sessions_per_month", 0),
        ("max_sessions_per_month", 21),
        ("reminder_lead_days", 0),
        ("reminder_lead_days", 29),
        ("yearly_earnings_limit", Decimal("-0.01")),
        ("payment_choice", "cash_in_hand"),
    ],
)
def test_the_service_refuses_values_out_of_range(me, field, value):
    with pytest.raises(ValidationError) as error:
        trainer_profile_update(trainer=me, **service_arguments(me, **{field: value}))

    assert field in error.value.message_dict
    assert Trainer.objects.get(pk=me.pk).involvement == list(Involvement.values)


def test_the_service_keeps_involvement_in_the_order_of_the_choices(me):
    trainer_profile_update(trainer=me, **service_arguments(me, involvement=["evaluate", "lead"]))

    me.refresh_from_db()
    assert me.involvement == ["lead", "evaluate"]


# Stepping back and coming back


def test_stepping_back_is_one_click_with_no_reason_asked(client, me):
    page = client.get(PROFILE).content.decode()
    assert "Step back for now" in page

    response = client.post(reverse("trainers:my-step-back"))

    assert response.status_code == 302
    me.refresh_from_db()
    assert me.status == Trainer.Status.STEPPING_BACK
    assert "I'm ready to come back" in client.get(PROFILE).content.decode()


def test_stepping_back_needs_a_post(client, me):
    assert client.get(reverse("trainers:my-step-back")).status_code == 405


def test_coming_back_with_a_valid_certification_makes_the_trainer_active(client):
    trainer = TrainerFactory(certified=True, status=Trainer.Status.STEPPING_BACK)
    client.force_login(trainer.user)

    client.post(reverse("trainers:my-return"))

    trainer.refresh_from_db()
    assert trainer.status == Trainer.Status.ACTIVE


def test_coming_back_without_a_certification_puts_the_trainer_in_training(me):
    trainer_step_back(trainer=me)

    trainer_return(trainer=me)

    assert me.status == Trainer.Status.IN_TRAINING


def test_coming_back_after_the_certification_ended_puts_the_trainer_in_training():
    trainer = TrainerFactory(certified=True, status=Trainer.Status.STEPPING_BACK)
    Certification.objects.filter(trainer=trainer).update(expires_on=timezone.localdate())

    trainer_return(trainer=trainer)

    assert trainer.status == Trainer.Status.IN_TRAINING


def test_coming_back_twice_changes_nothing_the_second_time():
    trainer = TrainerFactory(certified=True)
    trainer_step_back(trainer=trainer)
    trainer_return(trainer=trainer)
    Certification.objects.filter(trainer=trainer).delete()

    trainer_return(trainer=trainer)

    assert trainer.status == Trainer.Status.ACTIVE


def test_someone_who_has_left_cannot_step_back():
    trainer = TrainerFactory(status=Trainer.Status.LEFT)

    with pytest.raises(ValidationError):
        trainer_step_back(trainer=trainer)

    trainer.refresh_from_db()
    assert trainer.status == Trainer.Status.LEFT


def test_stepping_back_leaves_nothing_in_the_audit_trail(client, me):
    before = AuditEvent.objects.count()

    client.post(reverse("trainers:my-step-back"))
    client.post(reverse("trainers:my-return"))

    assert AuditEvent.objects.count() == before


def test_coming_back_says_invitations_resume_only_when_certified(client, me):
    trainer_step_back(trainer=me)

    response = client.post(reverse("trainers:my-return"), follow=True)

    page = response.content.decode()
    assert "Welcome back." in page
    assert "invite you to sessions again" not in page


# The coordinators' list and trainer page


def detail_url(trainer: Trainer) -> str:
    return reverse("trainers:trainer-detail", args=[trainer.pk])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_the_list_shows_status_region_and_certification_end(coordinator_client):
    trainer = TrainerFactory(certified=True, region=RegionFactory(name="London"))
    expires = Certification.objects.get(trainer=trainer).expires_on

    response = coordinator_client.get(reverse("trainers:trainer-list"))

    page = response.content.decode()
    assert trainer.user.full_name in page
    assert "Active" in page
    assert "London" in page
    assert f"{expires:%-d %b %Y}" in page


def test_a_trainer_stepping_back_is_only_shown_as_unavailable(coordinator_client):
    trainer = TrainerFactory(status=Trainer.Status.STEPPING_BACK)

    for url in (reverse("trainers:trainer-list"), detail_url(trainer)):
        page = coordinator_client.get(url).content.decode()
        assert "Unavailable" in page
        assert "stepping" not in page.lower()


def test_coordinators_never_see_private_answers_in_the_list_or_on_the_trainer_page(
    coordinator_client,
):
    trainer = TrainerFactory(**PRIVATE)

    for url in (reverse("trainers:trainer-list"), detail_url(trainer)):
        page = coordinator_client.get(url).content.decode()
        assert [text for text in PRIVATE.values() if text in page] == [], url


def test_even_the_trainers_supporter_sees_no_private_answers_on_the_coordinators_pages(client):
    supporter = UserFactory(roles=[Role.COORDINATOR])
    trainer = TrainerFactory(supporter=supporter, **PRIVATE)
    client.force_login(supporter)

    page = client.get(detail_url(trainer)).content.decode()

    assert [text for text in PRIVATE.values() if text in page] == []


def test_the_coordinators_reads_do_not_even_load_the_private_answers(coordinator_client):
    trainer = TrainerFactory(**PRIVATE)
    with CaptureQueriesContext(connection) as queries:
        coordinator_client.get(reverse("trainers:trainer-list"))
        coordinator_client.get(detail_url(trainer))

    trainer_queries = [q["sql"] for q in queries if 'FROM "trainers_trainer"' in q["sql"]]
    assert trainer_queries
    for sql in trainer_queries:
        for field in Trainer.PRIVATE_FIELDS:
            assert f'"trainers_trainer"."{field}"' not in sql


@pytest.mark.parametrize(
    ("status", "chosen", "shown"),
    [
        (Trainer.Status.IN_TRAINING, "in_training", "In training"),
        (Trainer.Status.ACTIVE, "active", "Active"),
        (Trainer.Status.STEPPING_BACK, "unavailable", "Unavailable"),
        (Trainer.Status.LEFT, "left", "Left"),
    ],
)
def test_the_list_filters_by_status(coordinator_client, status, chosen, shown):
    wanted = TrainerFactory(status=status, user__full_name="Wanted Person")
    other_status = next(s for s in Trainer.Status.values if s != status)
    TrainerFactory(status=other_status, user__full_name="Other Person")

    response = coordinator_client.get(reverse("trainers:trainer-list"), {"status": chosen})

    assert list(response.context["trainers"]) == [wanted]
    assert shown in response.content.decode()


def test_the_list_filters_by_region(coordinator_client):
    london = RegionFactory(name="London")
    wanted = TrainerFactory(region=london)
    TrainerFactory(region=RegionFactory(name="Manchester"))

    response = coordinator_client.get(reverse("trainers:trainer-list"), {"region": london.pk})

    assert list(response.context["trainers"]) == [wanted]


def test_a_filter_that_cannot_be_read_shows_its_error_not_everyone(coordinator_client):
    TrainerFactory()

    response = coordinator_client.get(reverse("trainers:trainer-list"), {"region": "999999"})

    assert list(response.context["trainers"]) == []
    assert "Choose a region from the list." in response.content.decode()


def test_the_trainer_page_shows_the_profile_coordinators_may_see(coordinator_client):
    supporter = UserFactory(full_name="Sam Supporter")
    trainer = TrainerFactory(
        involvement=["co_design", "lead"],
        max_sessions_per_month=4,
        reasonable_adjustments="Step-free access",
        payment_choice=Trainer.Payment.DECLINE,
        supporter=supporter,
    )

    page = coordinator_client.get(detail_url(trainer))

    text = page.content.decode()
    assert "Co-design courses, Lead sessions" in text
    assert '<dd class="col-sm-8">4</dd>' in text
    assert "Step-free access" in text
    assert "No payment" in text
    assert "Sam Supporter" in text


def test_a_trainer_page_that_does_not_exist_is_not_found(coordinator_client):
    assert (
        coordinator_client.get(reverse("trainers:trainer-detail", args=[999999])).status_code == 404
    )


# Naming the supporter and the programme


def test_a_coordinator_names_the_supporter_and_programme(coordinator_client, coordinator):
    trainer = TrainerFactory()
    supporter = UserFactory(full_name="Sam Supporter")
    programme = T3ProgrammeFactory()

    response = coordinator_client.post(
        reverse("trainers:trainer-assign", args=[trainer.pk]),
        {"supporter": supporter.pk, "programme": programme.pk},
    )

    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.supporter == supporter
    assert trainer.programme == programme
    event = AuditEvent.objects.get(action=TrainerAction.TRAINER_ASSIGNED)
    assert event.actor == coordinator
    assert event.changes["supporter"] == [None, "Sam Supporter"]


def test_the_supporter_list_offers_only_active_people(coordinator_client):
    trainer = TrainerFactory()
    UserFactory(full_name="Still Here")
    gone = UserFactory(full_name="Long Gone")
    gone.is_active = False
    gone.save()

    page = coordinator_client.get(detail_url(trainer))

    assert "Still Here" in page.content.decode()
    assert "Long Gone" not in page.content.decode()


def test_a_supporter_whose_account_is_off_is_refused():
    trainer = TrainerFactory()
    gone = UserFactory()
    gone.is_active = False

    with pytest.raises(ValidationError) as error:
        trainer_assign(trainer=trainer, supporter=gone, programme=None, by=gone)

    assert "supporter" in error.value.message_dict


def test_a_trainer_cannot_be_their_own_supporter(coordinator_client):
    trainer = TrainerFactory()

    response = coordinator_client.post(
        reverse("trainers:trainer-assign", args=[trainer.pk]), {"supporter": trainer.user.pk}
    )

    assert response.status_code == 200
    assert (
        "A trainer cannot be their own supporter."
        in response.context["assign_form"].errors["supporter"]
    )
    trainer.refresh_from_db()
    assert trainer.supporter is None


def test_a_supporter_not_in_the_list_is_refused_at_the_field(coordinator_client):
    trainer = TrainerFactory()

    response = coordinator_client.post(
        reverse("trainers:trainer-assign", args=[trainer.pk]), {"supporter": "999999"}
    )

    assert response.context["assign_form"].errors["supporter"] == ["Choose a person from the list."]


def test_saving_the_same_supporter_again_records_nothing(coordinator):
    trainer = TrainerFactory(supporter=coordinator)

    trainer_assign(trainer=trainer, supporter=coordinator, programme=None, by=coordinator)

    assert not AuditEvent.objects.filter(action=TrainerAction.TRAINER_ASSIGNED).exists()


# Query bounds


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["trainer-list", "t3-pipeline"])
def test_the_trainer_list_and_pipeline_run_the_same_queries_for_1_or_500_trainers(
    coordinator_client, django_assert_max_num_queries, name
):
    url = reverse(f"trainers:{name}")
    trainers_in_bulk(1)
    with django_assert_max_num_queries(10):
        coordinator_client.get(url)
    one = queries_for(coordinator_client, url)

    trainers_in_bulk(499)

    with django_assert_max_num_queries(10):
        coordinator_client.get(url)
    assert queries_for(coordinator_client, url) == one


def test_the_trainer_page_runs_the_same_queries_for_1_or_500_trainers(
    coordinator_client, django_assert_max_num_queries
):
    programme = T3ProgrammeFactory()
    requirements = T3RequirementFactory.create_batch(3, programme=programme)
    trainer = CertificationFactory(trainer__programme=programme, programme=programme).trainer
    T3Progress.objects.create(
        trainer=trainer, requirement=requirements[0], completed_on=timezone.localdate()
    )
    url = detail_url(trainer)
    one = queries_for(coordinator_client, url)

    trainers_in_bulk(500)

    with django_assert_max_num_queries(12):
        coordinator_client.get(url)
    assert queries_for(coordinator_client, url) == one
