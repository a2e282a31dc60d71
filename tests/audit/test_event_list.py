import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.actions import AccessAction, ExportAction
from audit.models import AuditEvent
from audit.services import audit_record
from people.audit_actions import RoleAction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/audit/"
# The session, the person, their roles (the second-factor check may add one), the count and
# the page of events with who did them: nothing grows with the number of events.
MAX_QUERIES = 6


def _event(action=ExportAction.EXPORT, *, actor=None, at=None, **kwargs) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, **kwargs)
    if at is not None:
        event.created_at = at
    event.save()
    return event


def _rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.DOTALL)
    if body is None:
        return []
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)
    ]


def _field_error(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


# who may read it


@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_coordinators_and_managers_may_read_the_audit_trail(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.templates[0].name == "audit/event_list.html"


@pytest.mark.parametrize("who", ["trainer", "other_trainer", "team_lead", "admin_user"])
def test_everyone_else_signed_in_is_refused_the_audit_trail(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(PAGE)

    assert response.status_code == 403


def test_a_refused_visit_to_the_audit_trail_is_itself_recorded(client, trainer):
    client.force_login(trainer)

    client.get(PAGE)

    assert AuditEvent.objects.filter(
        action=AccessAction.PERMISSION_DENIED, actor=trainer, path=PAGE
    ).exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/sign-in/?next={PAGE}"


# what it shows


def test_it_shows_when_who_what_and_the_details_of_each_event(client, coordinator, trainer):
    _event(
        RoleAction.ROLES_CHANGED,
        actor=coordinator,
        object_repr="Janice Jones",
        changes={"roles": [["trainer"], ["coordinator", "trainer"]], "password": "changed"},
        at=datetime(2025, 7, 1, 12, 0, tzinfo=UTC),
    )
    client.force_login(coordinator)

    response = client.get(
        PAGE, {"action": RoleAction.ROLES_CHANGED, "actor_email": coordinator.email}
    )

    [row] = _rows(response)
    assert "1 Jul 2025, 13:00:00" in row  # UK summer time
    assert f"{coordinator.full_name} {coordinator.email}" in row
    assert "Roles changed" in row
    assert "Janice Jones" in row
    assert "Roles: trainer → coordinator, trainer" in row
    assert "Password: changed (value not recorded)" in row


def test_an_event_without_an_account_says_so(client, coordinator):
    _event(AccessAction.SIGN_IN_FAILED, path="/accounts/sign-in/")
    client.force_login(coordinator)

    response = client.get(PAGE, {"action": AccessAction.SIGN_IN_FAILED})

    [row] = _rows(response)
    assert "No account" in row
    assert "Sign-in failed" in row


def test_the_table_has_a_caption_and_column_headers(client, coordinator):
    client.force_login(coordinator)

    html = client.get(PAGE).content.decode()

    assert "<caption>" in html
    headers = re.findall(r'<th scope="col">(.*?)</th>', html)
    assert headers == ["When", "Who", "Action", "What", "Details"]


def test_the_newest_events_come_first(client, coordinator):
    _event(object_repr="older", at=datetime(2025, 1, 1, 9, tzinfo=UTC))
    _event(object_repr="newer", at=datetime(2025, 1, 2, 9, tzinfo=UTC))
    client.force_login(coordinator)

    rows = _rows(client.get(PAGE, {"action": ExportAction.EXPORT}))

    assert ["newer" in rows[0], "older" in rows[1]] == [True, True]


def test_it_shows_50_events_a_page(client, coordinator):
    AuditEvent.objects.bulk_create(AuditEvent(action=ExportAction.EXPORT) for _ in range(51))
    client.force_login(coordinator)

    first = client.get(PAGE, {"action": ExportAction.EXPORT})
    second = client.get(PAGE, {"action": ExportAction.EXPORT, "page": 2})

    assert len(_rows(first)) == 50
    assert len(_rows(second)) == 1


def test_the_next_page_keeps_the_filter(client, coordinator):
    AuditEvent.objects.bulk_create(AuditEvent(action=ExportAction.EXPORT) for _ in range(51))
    client.force_login(coordinator)

    html = client.get(PAGE, {"action": ExportAction.EXPORT}).content.decode()

    assert 'href="?action=export&amp;page=2"' in html


def test_the_filter_fields_are_labelled(client, coordinator):
    client.force_login(coordinator)

    html = client.get(PAGE).content.decode()

    for field, label in [
        ("action", "Action"),
        ("actor_email", "Person&#x27;s email"),
        ("date_from", "From"),
        ("date_to", "To"),
    ]:
        assert re.search(rf'<label\s+for="id_{field}"[^>]*>\s*{label}\s*</label>', html), field


# filters


def test_it_filters_by_action(client, coordinator):
    _event(ExportAction.EXPORT, object_repr="an export")
    _event(AccessAction.SIGN_OUT, object_repr="a sign-out")
    client.force_login(coordinator)

    rows = _rows(client.get(PAGE, {"action": AccessAction.SIGN_OUT}))

    assert len(rows) == 1
    assert "a sign-out" in rows[0]


def test_it_filters_by_the_persons_email_in_any_case(client, coordinator, trainer, manager):
    _event(actor=trainer, object_repr="by the trainer")
    _event(actor=manager, object_repr="by the manager")
    client.force_login(coordinator)

    rows = _rows(
        client.get(PAGE, {"action": ExportAction.EXPORT, "actor_email": "TRAINER@example.org"})
    )

    assert len(rows) == 1
    assert "by the trainer" in rows[0]


def test_it_filters_by_days_in_uk_time_including_both_ends(client, coordinator):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London.
    _event(object_repr="late June UTC", at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC))
    _event(object_repr="earlier", at=datetime(2025, 6, 30, 22, 59, tzinfo=UTC))
    _event(object_repr="end of 2 July", at=datetime(2025, 7, 2, 22, 59, tzinfo=UTC))
    _event(object_repr="3 July", at=datetime(2025, 7, 2, 23, 0, tzinfo=UTC))
    client.force_login(coordinator)

    rows = _rows(
        client.get(
            PAGE,
            {"action": ExportAction.EXPORT, "date_from": "2025-07-01", "date_to": "2025-07-02"},
        )
    )

    assert [row.split(" Exported data ")[1].strip() for row in rows] == [
        "end of 2 July",
        "late June UTC",
    ]


def test_it_accepts_a_date_written_the_uk_way(client, coordinator):
    _event(object_repr="in range", at=datetime(2025, 7, 1, 12, tzinfo=UTC))
    client.force_login(coordinator)

    response = client.get(PAGE, {"action": ExportAction.EXPORT, "date_from": "01/07/2025"})

    assert response.context["form"].is_valid()
    assert len(_rows(response)) == 1


# bad filter input


def test_a_malformed_date_is_reported_at_the_field_and_kept(client, coordinator):
    _event()
    client.force_login(coordinator)

    response = client.get(PAGE, {"date_from": "31/02/2025"})

    assert _field_error(response, "date_from") == ["Enter a real date, like 31/01/2025."]
    html = response.content.decode()
    assert 'value="31/02/2025"' in html
    assert re.search(r'aria-describedby="[^"]*id_date_from_error[^"]*" id="id_date_from"', html)
    assert _rows(response) == []
    assert "Correct the filter to see events." in html


def test_from_after_to_is_reported_at_to_and_both_dates_are_kept(client, coordinator):
    client.force_login(coordinator)

    response = client.get(PAGE, {"date_from": "2025-07-02", "date_to": "2025-07-01"})

    assert _field_error(response, "date_to") == ["“To” must be the same as or later than “From”."]
    html = response.content.decode()
    assert 'value="2025-07-02"' in html
    assert 'value="2025-07-01"' in html


def test_a_malformed_email_is_reported_at_the_field_and_kept(client, coordinator):
    client.force_login(coordinator)

    response = client.get(PAGE, {"actor_email": "ann@"})

    assert _field_error(response, "actor_email") == [
        "Enter a full email address, like name@example.org."
    ]
    assert 'value="ann@"' in response.content.decode()


def test_an_unknown_action_is_reported_at_the_field(client, coordinator):
    client.force_login(coordinator)

    response = client.get(PAGE, {"action": "made_tea"})

    assert _field_error(response, "action")


def test_a_filter_that_matches_nothing_says_so(client, coordinator):
    client.force_login(coordinator)

    response = client.get(PAGE, {"actor_email": "nobody@example.org"})

    assert "No events match this filter." in response.content.decode()


# queries


def _events_by_many_people(count: int) -> None:
    people = [UserFactory() for _ in range(3)]
    AuditEvent.objects.bulk_create(
        AuditEvent(action=ExportAction.EXPORT, actor=people[n % 3], changes={"rows": n})
        for n in range(count)
    )
    audit_record(action=RoleAction.ROLES_CHANGED, actor=people[0], obj=people[1])


@pytest.mark.parametrize("count", [1, 300])
def test_the_page_runs_a_bounded_number_of_queries(
    client, coordinator, django_assert_max_num_queries, count
):
    _events_by_many_people(count)
    client.force_login(coordinator)

    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(PAGE)


def test_the_page_runs_the_same_queries_for_1_and_300_events(client, coordinator):
    client.force_login(coordinator)

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(PAGE)
        return len(captured)

    _events_by_many_people(1)
    with_one = queries_for_a_page()
    _events_by_many_people(299)

    assert queries_for_a_page() == with_one
