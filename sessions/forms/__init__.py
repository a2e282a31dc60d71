"""The sessions app's forms, one module per topic; views and other callers import them from here."""

from sessions.forms.assignments import AssignmentInviteForm
from sessions.forms.courses import (
    ActivityForm,
    CourseCreateForm,
    CourseVersionForm,
    LearningOutcomeForm,
)
from sessions.forms.delivery import (
    AttendanceForm,
    DeliveryReportForm,
    SelfCheckInForm,
    SessionCostForm,
)
from sessions.forms.feeds import ImportConfirmForm, ImportForm
from sessions.forms.registrations import (
    ParticipantSearchForm,
    RegistrationExistingForm,
    RegistrationForm,
)
from sessions.forms.scheduling import (
    SCHEDULE_DATE_ERROR,
    CalendarFilterForm,
    ScheduleFilterForm,
    SessionCancelForm,
    SessionForm,
)
from sessions.forms.venues import RoomForm, VenueForm

__all__ = [
    "SCHEDULE_DATE_ERROR",
    "ActivityForm",
    "AssignmentInviteForm",
    "AttendanceForm",
    "CalendarFilterForm",
    "CourseCreateForm",
    "CourseVersionForm",
    "DeliveryReportForm",
    "ImportConfirmForm",
    "ImportForm",
    "LearningOutcomeForm",
    "ParticipantSearchForm",
    "RegistrationExistingForm",
    "RegistrationForm",
    "RoomForm",
    "ScheduleFilterForm",
    "SelfCheckInForm",
    "SessionCancelForm",
    "SessionCostForm",
    "SessionForm",
    "VenueForm",
]
