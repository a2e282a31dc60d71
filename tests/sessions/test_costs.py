"""Coordinators record what a session costs at /schedule/<pk>/costs/: room hire (which can be
taken from the room's hire cost), refreshments, support and other, in pounds, with a total."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from sessions.audit_actions import SessionAction
from sessions.hooks import ExtraCost, session_extra_costs
from sessions.models import Registration, SessionCost, TrainingSession
from sessions.services import session_cost_add, session_cost_room_hire_add
from tests.factories import SessionCostFactory, TrainingSessionFactory
from tests.sessions.factories import registrations_in_bulk
from tests.sessions.registration_helpers import on_team, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSessionFactory(
        room__name="Room 2", room__venue__name="Friends Meeting House", room__hire_cost="45.00"
    )


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def costs_url(session: TrainingSession) -> str:
    return reverse("sessions:session-costs", kwargs={"pk": session.pk})


def form_data(**changes) -> dict:
    data = {"kind": "refreshments", "description": "Lunch for 12", "amount": "60.50"}
    return {**data, **changes}


def test_a_coordinator_adds_a_cost_and_sees_the_total(coordinator_client, session):
    SessionCostFactory(session=session, amount=Decimal("24.50"))

    response = coordinator_client.post(costs_url(session), form_data(), follow=True)

    page = text(response)
    assert "Refreshments of £60.50 added." in page
    assert "Lunch for 12" in page
    assert "total £85.00" in page
    cost = SessionCost.objects.get(description="Lunch for 12")
    assert cost.amount == Decimal("60.50")
    assert isinstance(cost.amount, Decimal)


def test_amounts_are_read_as_people_write_them(coordinator_client, session):
    coordinator_client.post(costs_url(session), form_data(amount="£1,200.5"))

    assert SessionCost.objects.get().amount == Decimal("1200.50")


def test_a_free_item_of_zero_pounds_is_accepted(coordinator_client, session):
    coordinator_client.post(costs_url(session), form_data(amount="0"))

    assert SessionCost.objects.get().amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-1", "The amount cannot be less than £0."),
        ("amount", "", "Enter an amount in pounds, like 45 or 45.50."),
        ("amount", "lots", "Enter an amount in pounds, like 45 or 45.50."),
        ("amount", "10.999", "at most 2 digits for pence"),
        ("amount", "10000000", "Enter an amount under £10,000,000."),
        ("kind", "", "Choose room hire, refreshments, support or other."),
        ("kind", "catering", "Choose room hire, refreshments, support or other."),
        ("description", "x" * 201, "Keep the description to 200 characters."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    coordinator_client, session, field, value, message
):
    response = coordinator_client.post(costs_url(session), form_data(**{field: value}))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not SessionCost.objects.exists()
    assert not AuditEvent.objects.filter(action=SessionAction.SESSION_COST_ADDED).exists()


def test_other_needs_a_description(coordinator_client, session):
    response = coordinator_client.post(costs_url(session), form_data(kind="other", description=""))

    assert "Say what the cost was for." in response.context["form"].errors["description"][0]
    assert not SessionCost.objects.exists()


def test_a_refused_cost_keeps_what_was_typed(coordinator_client, session):
    response = coordinator_client.post(
        costs_url(session), form_data(amount="-3", description="Taxi for a trainer")
    )

    page = text(response)
    assert 'value="-3"' in page
    assert 'value="Taxi for a trainer"' in page
    assert '<option value="refreshments" selected>' in page


def test_the_service_refuses_a_negative_amount(session, coordinator):
    with pytest.raises(ValidationError) as refused:
        session_cost_add(session=session, kind="support", amount=Decimal("-0.01"), by=coordinator)

    assert "amount" in refused.value.error_dict


def test_room_hire_is_added_from_the_rooms_hire_cost(coordinator_client, session):
    page = text(coordinator_client.get(costs_url(session)))

    response = coordinator_client.post(
        reverse("sessions:session-cost-room-hire", kwargs={"pk": session.pk}), follow=True
    )

    assert "Add room hire for Room 2: £45.00" in page
    assert "Room hire of £45.00 added." in text(response)
    cost = SessionCost.objects.get()
    assert cost.kind == SessionCost.Kind.ROOM_HIRE
    assert cost.amount == Decimal("45.00")
    assert cost.description == "Room 2, Friends Meeting House"
    assert "Add room hire for" not in text(response)


def test_room_hire_is_not_added_twice(session, coordinator):
    session_cost_room_hire_add(session=session, by=coordinator)

    with pytest.raises(ValidationError, match="already in this session"):
        session_cost_room_hire_add(session=session, by=coordinator)

    assert SessionCost.objects.count() == 1


def test_an_online_session_has_no_room_hire_to_add(coordinator_client, coordinator):
    online = TrainingSessionFactory(room=None, is_online=True, joining_link="https://x.example")

    page = text(coordinator_client.get(costs_url(online)))

    assert "Add room hire" not in page
    with pytest.raises(ValidationError, match="no room"):
        session_cost_room_hire_add(session=online, by=coordinator)


def test_a_coordinator_removes_a_cost_and_it_is_audited(coordinator_client, session, coordinator):
    cost = SessionCostFactory(session=session, amount=Decimal("24.50"))
    url = reverse("sessions:session-cost-remove", kwargs={"pk": session.pk, "cost_pk": cost.pk})

    response = coordinator_client.post(url, follow=True)

    assert "Refreshments of £24.50 removed." in text(response)
    assert not SessionCost.objects.exists()
    event = AuditEvent.objects.get(action=SessionAction.SESSION_COST_REMOVED)
    assert event.actor == coordinator
    assert event.changes == {"cost": "Refreshments", "amount": "24.50"}


def test_adding_a_cost_is_audited(coordinator_client, session, coordinator):
    coordinator_client.post(costs_url(session), form_data())

    event = AuditEvent.objects.get(action=SessionAction.SESSION_COST_ADDED)
    assert event.actor == coordinator
    assert event.object_id == str(session.pk)
    assert event.changes == {"cost": "Refreshments", "amount": "60.50"}


def test_another_sessions_cost_cannot_be_removed_here(coordinator_client, session):
    elsewhere = SessionCostFactory()
    url = reverse(
        "sessions:session-cost-remove", kwargs={"pk": session.pk, "cost_pk": elsewhere.pk}
    )

    assert coordinator_client.post(url).status_code == 404
    assert SessionCost.objects.filter(pk=elsewhere.pk).exists()


def test_removing_takes_a_post(coordinator_client, session):
    cost = SessionCostFactory(session=session)
    url = reverse("sessions:session-cost-remove", kwargs={"pk": session.pk, "cost_pk": cost.pk})

    assert coordinator_client.get(url).status_code == 405
    assert SessionCost.objects.exists()


@pytest.mark.parametrize("who", ["trainer", "team_lead", "manager", "admin_user"])
def test_only_coordinators_see_or_change_costs(client, request, session, who):
    person = request.getfixturevalue(who)
    if who == "trainer":
        on_team(session, person)
    client.force_login(person)

    assert client.get(costs_url(session)).status_code == 403
    assert client.post(costs_url(session), form_data()).status_code == 403
    assert not SessionCost.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client, session):
    response = client.get(costs_url(session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_costs_page_runs_the_same_queries_for_few_or_many_costs(
    coordinator_client, session, django_assert_max_num_queries
):
    SessionCostFactory(session=session)
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(costs_url(session))

    SessionCost.objects.bulk_create(
        SessionCost(session=session, kind="support", amount=Decimal(n), description=f"Item {n}")
        for n in range(100)
    )

    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        page = text(coordinator_client.get(costs_url(session)))
    assert len(many) == len(few)
    assert "total £4974.50" in page


# Lines from higher apps (sessions.hooks.session_extra_costs)


def test_lines_from_higher_apps_are_shown_added_to_the_total_and_shared_per_learner(
    coordinator_client, session
):
    SessionCostFactory(session=session, amount=Decimal("0.10"))
    registrations_in_bulk(session, 2, status=Registration.Status.ATTENDED)
    registrations_in_bulk(session, 1, status=Registration.Status.PARTLY_ATTENDED)
    registrations_in_bulk(session, 4, status=Registration.Status.NO_SHOW)

    def speakers(*, session: TrainingSession) -> list[ExtraCost]:
        return [
            ExtraCost(label="Guest speaker", amount=Decimal("0.20")),
            ExtraCost(label="Interpreter", amount=Decimal("9.71"), url="/somewhere/"),
        ]

    with session_extra_costs.connected(speakers):
        page = text(coordinator_client.get(costs_url(session)))

    assert '<th scope="row">Guest speaker</th>' in page
    assert '<th scope="row"><a href="/somewhere/">Interpreter</a></th>' in page
    assert "total £10.01" in page
    assert "Cost per learner attended: <strong>£3.34</strong> (3 attended)" in page


def test_the_cost_per_learner_is_left_out_while_nobody_attended(coordinator_client, session):
    SessionCostFactory(session=session, amount=Decimal("10.00"))
    registrations_in_bulk(session, 3)

    page = text(coordinator_client.get(costs_url(session)))

    assert "No learners are marked as attended yet, so there is no cost per learner." in page
