import re

import pytest
from django.db import models

from audit import actions
from audit.actions import action_choices, action_label, action_register
from audit.checks import check_audit_actions
from audit.models import AuditEvent
from audit.services import audit_record

# The audit page's filter, in the order it has always had: each app's actions come together at
# the position the app registers them.
FILTER_ORDER = [
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Sign-in failed"),
    ("sign_in_locked", "Locked out after failed sign-ins"),
    ("sign_out", "Signed out"),
    ("permission_denied", "Permission denied"),
    ("roles_changed", "Roles changed"),
    ("export", "Exported data"),
    ("second_factor_added", "Two-step sign-in set up"),
    ("second_factor_failed", "Wrong two-step sign-in code"),
    ("second_factor_replaced", "Two-step sign-in authenticator replaced"),
    ("second_factor_reset", "Two-step sign-in reset by an admin"),
    ("role_description_published", "Role description published"),
    ("application_status_changed", "Application moved on"),
    ("trainer_assigned", "Trainer's supporter or programme set"),
    ("t3_progress_recorded", "Train the Trainer requirement recorded"),
    ("certified", "Trainer certified"),
    ("certification_changed", "Certification expiry changed"),
    ("application_deleted", "Application deleted"),
    ("trainer_account_created", "Trainer account created"),
    ("course_version_piloted", "Course version moved to pilot"),
    ("course_version_published", "Course version published"),
    ("import", "Imported data"),
    ("calendar_feed_renewed", "Calendar address replaced"),
    ("attendance_recorded", "Attendance recorded"),
    ("delivery_report_filed", "Delivery report filed"),
    ("session_cost_added", "Session cost added"),
    ("session_cost_removed", "Session cost removed"),
    ("session_scheduled", "Session scheduled"),
    ("session_changed", "Session changed or moved"),
    ("session_confirmed", "Session confirmed"),
    ("session_cancelled", "Session cancelled"),
    ("assignment_invited", "Invited to a session"),
    ("assignment_overridden", "Trainer's own limits overridden"),
    ("assignment_answered", "Invitation to a session answered"),
    ("assignment_withdrawn", "Taken off a session"),
    ("evaluation_comments_released", "Comments released to trainers"),
    ("evaluation_comment_hidden", "Evaluation comment hidden"),
    ("evaluation_form_published", "Evaluation form published"),
    ("course_review_recorded", "Course review recorded"),
    ("course_review_next_version", "Next course version started from a review"),
    ("notification_resent", "Failed email sent again"),
    ("claim_status_changed", "Expense claim moved on"),
    ("mileage_rate_added", "Mileage rate added"),
    ("travel_status_changed", "Travel request moved on"),
    ("fee_rate_set", "Standard fee rate set"),
    ("fee_recorded", "Trainer's fee recorded"),
    ("fee_status_changed", "Trainer's fee moved on"),
]


class ExpenseAction(models.TextChoices):
    CLAIM_APPROVED = "claim_approved", "Expense claim approved"


@pytest.fixture
def registered(monkeypatch):
    """The real registrations, to which a test may add its own for its duration only."""
    monkeypatch.setattr(actions, "REGISTERED", list(actions.REGISTERED))


def _error_ids() -> list[str | None]:
    return [error.id for error in check_audit_actions(None)]


# what is registered


def test_every_app_registers_its_actions_in_the_filter_order_the_audit_page_has_always_had():
    assert action_choices() == FILTER_ORDER


def test_the_registered_actions_pass_the_system_check():
    assert check_audit_actions(None) == []


def test_registering_a_class_again_changes_nothing(registered):
    action_register(ExpenseAction, position=65)
    action_register(ExpenseAction, position=65)

    assert [value for value, _ in action_choices()].count("claim_approved") == 1


def test_an_app_s_position_places_its_actions_in_the_filter(registered):
    action_register(ExpenseAction, position=65)

    values = [value for value, _ in action_choices()]

    assert values.index("claim_approved") == values.index("assignment_withdrawn") + 1


# recording


def test_an_action_nobody_registered_is_refused(db):
    with pytest.raises(
        ValueError, match=re.escape("Unknown audit action: ExpenseAction.CLAIM_APPROVED")
    ):
        audit_record(action=ExpenseAction.CLAIM_APPROVED)


def test_an_action_becomes_recordable_once_its_app_registers_it(registered, db):
    action_register(ExpenseAction, position=65)

    event = audit_record(action=ExpenseAction.CLAIM_APPROVED)

    assert event.get_action_display() == "Expense claim approved"


def test_an_event_whose_action_is_no_longer_registered_shows_what_was_stored(db):
    event = AuditEvent(action="claim_approved")
    event.save()

    assert event.get_action_display() == "claim_approved"
    assert action_label("claim_approved") == "claim_approved"


# the system check


def test_the_check_refuses_one_value_registered_by_two_apps(registered):
    class Duplicate(models.TextChoices):
        EXPORT = "export", "Expense claims exported"

    action_register(Duplicate, position=65)

    [error] = check_audit_actions(None)
    assert error.id == "audit.E001"
    assert "'export'" in error.msg
    assert "audit.actions.ExportAction" in error.msg


def test_the_check_refuses_a_value_longer_than_the_column(registered):
    class TooLong(models.TextChoices):
        LONG = "claim_" + "x" * 45, "A very long action"

    action_register(TooLong, position=65)

    assert _error_ids() == ["audit.E002"]


@pytest.mark.parametrize("value", ["Claim approved", "claim-approved", "", "ClaimApproved"])
def test_the_check_refuses_a_value_that_is_not_lowercase_words(registered, value):
    action_register(
        models.TextChoices("Odd", [("ODD", (value, "An oddly written action"))]), position=65
    )

    assert _error_ids() == ["audit.E003"]


def test_the_check_refuses_two_actions_that_read_the_same_in_the_filter(registered):
    class SameLabel(models.TextChoices):
        CLAIM_EXPORTED = "claim_exported", "Exported data"

    action_register(SameLabel, position=65)

    [error] = check_audit_actions(None)
    assert error.id == "audit.E004"
    assert "'export'" in error.msg
    assert "'claim_exported'" in error.msg
