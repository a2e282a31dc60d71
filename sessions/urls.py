from django.urls import path

from sessions import views

app_name = "sessions"

# --- Courses and venues ---
course_patterns: list = [
    path("courses/", views.CourseListView.as_view(), name="course-list"),
    path("courses/new/", views.CourseCreateView.as_view(), name="course-create"),
    path(
        "courses/versions/<int:pk>/",
        views.CourseVersionDetailView.as_view(),
        name="course-version-detail",
    ),
    path(
        "courses/versions/<int:pk>/edit/",
        views.CourseVersionEditView.as_view(),
        name="course-version-edit",
    ),
    path(
        "courses/versions/<int:pk>/pilot/",
        views.CourseVersionPilotView.as_view(),
        name="course-version-pilot",
    ),
    path(
        "courses/versions/<int:pk>/publish/",
        views.CourseVersionPublishView.as_view(),
        name="course-version-publish",
    ),
    path(
        "courses/versions/<int:pk>/new-version/",
        views.CourseVersionCopyView.as_view(),
        name="course-version-copy",
    ),
    path(
        "courses/versions/<int:pk>/handbook.pdf",
        views.CourseHandbookView.as_view(),
        name="course-version-handbook",
    ),
    path(
        "courses/versions/<int:pk>/outcomes/new/",
        views.OutcomeCreateView.as_view(),
        name="outcome-create",
    ),
    path("courses/outcomes/<int:pk>/edit/", views.OutcomeEditView.as_view(), name="outcome-edit"),
    path(
        "courses/outcomes/<int:pk>/remove/",
        views.OutcomeDeleteView.as_view(),
        name="outcome-delete",
    ),
    path("courses/outcomes/<int:pk>/move/", views.OutcomeMoveView.as_view(), name="outcome-move"),
    path(
        "courses/outcomes/<int:pk>/activities/new/",
        views.ActivityCreateView.as_view(),
        name="activity-create",
    ),
    path(
        "courses/activities/<int:pk>/edit/", views.ActivityEditView.as_view(), name="activity-edit"
    ),
    path(
        "courses/activities/<int:pk>/remove/",
        views.ActivityDeleteView.as_view(),
        name="activity-delete",
    ),
    path(
        "courses/activities/<int:pk>/move/", views.ActivityMoveView.as_view(), name="activity-move"
    ),
    path("venues/", views.VenueListView.as_view(), name="venue-list"),
    path("venues/new/", views.VenueCreateView.as_view(), name="venue-create"),
    path("venues/<int:pk>/", views.VenueDetailView.as_view(), name="venue-detail"),
    path("venues/<int:pk>/edit/", views.VenueEditView.as_view(), name="venue-edit"),
    path("venues/<int:pk>/rooms/new/", views.RoomCreateView.as_view(), name="room-create"),
    path("venues/rooms/<int:pk>/edit/", views.RoomEditView.as_view(), name="room-edit"),
    path("venues/rooms/<int:pk>/remove/", views.RoomDeleteView.as_view(), name="room-delete"),
]

# --- Scheduling and trainers ---
schedule_patterns: list = [
    path("schedule/", views.ScheduleListView.as_view(), name="schedule"),
    path("schedule/month/", views.ScheduleMonthView.as_view(), name="schedule-month"),
    path("schedule/week/", views.ScheduleWeekView.as_view(), name="schedule-week"),
    path("schedule/new/", views.SessionCreateView.as_view(), name="session-create"),
    path("schedule/<int:pk>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("schedule/<int:pk>/edit/", views.SessionEditView.as_view(), name="session-edit"),
    path("schedule/<int:pk>/cancel/", views.SessionCancelView.as_view(), name="session-cancel"),
    path("schedule/<int:pk>/confirm/", views.SessionConfirmView.as_view(), name="session-confirm"),
    path("schedule/<int:pk>/invite/", views.SessionInviteView.as_view(), name="assignment-invite"),
    path(
        "schedule/assignments/<int:pk>/withdraw/",
        views.AssignmentWithdrawView.as_view(),
        name="assignment-withdraw",
    ),
    path(
        "invitations/<token:token>/accept/",
        views.InvitationView.as_view(answer="accept"),
        name="invitation-accept",
    ),
    path(
        "invitations/<token:token>/decline/",
        views.InvitationView.as_view(answer="decline"),
        name="invitation-decline",
    ),
    path("me/sessions/", views.MySessionsView.as_view(), name="my-sessions"),
    path(
        "me/sessions/<int:pk>/accept/",
        views.MyAssignmentAnswerView.as_view(answer="accept"),
        name="my-assignment-accept",
    ),
    path(
        "me/sessions/<int:pk>/decline/",
        views.MyAssignmentAnswerView.as_view(answer="decline"),
        name="my-assignment-decline",
    ),
    path(
        "me/sessions/<int:pk>/withdraw/",
        views.MyAssignmentAnswerView.as_view(answer="withdraw"),
        name="my-assignment-withdraw",
    ),
]

# --- Registrations and attendance ---
registration_patterns: list = [
    path(
        "schedule/<int:pk>/registrations/",
        views.RegistrationListView.as_view(),
        name="registration-list",
    ),
    path(
        "schedule/<int:pk>/registrations/existing/",
        views.RegistrationAddExistingView.as_view(),
        name="registration-add-existing",
    ),
    path(
        "schedule/<int:pk>/registrations/<int:registration_pk>/cancel/",
        views.RegistrationCancelView.as_view(),
        name="registration-cancel",
    ),
    path("register/<token:token>/", views.RegisterView.as_view(), name="register"),
    path("register/<token:token>/done/", views.RegisterDoneView.as_view(), name="register-done"),
    path(
        "registrations/<token:token>/cancel/",
        views.RegistrationSelfCancelView.as_view(),
        name="registration-self-cancel",
    ),
    path("schedule/<int:pk>/register/", views.AttendanceRegisterView.as_view(), name="attendance"),
    path(
        "schedule/<int:pk>/check-in/",
        views.CheckInDisplayView.as_view(),
        name="checkin-display",
    ),
    path("c/<code:code>/", views.CheckInView.as_view(), name="checkin"),
    path("schedule/<int:pk>/pack.pdf", views.SessionPackView.as_view(), name="session-pack"),
    path("schedule/<int:pk>/report/", views.DeliveryReportView.as_view(), name="delivery-report"),
    path("schedule/<int:pk>/costs/", views.SessionCostListView.as_view(), name="session-costs"),
    path(
        "schedule/<int:pk>/costs/room-hire/",
        views.SessionCostRoomHireView.as_view(),
        name="session-cost-room-hire",
    ),
    path(
        "schedule/<int:pk>/costs/<int:cost_pk>/remove/",
        views.SessionCostRemoveView.as_view(),
        name="session-cost-remove",
    ),
]

# --- Calendar feeds and imports ---
feed_patterns: list = [
    path("calendar/<token:token>.ics", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path("me/calendar/", views.MyCalendarView.as_view(), name="my-calendar"),
    path(
        "me/calendar/new-address/",
        views.CalendarFeedRenewView.as_view(),
        name="my-calendar-renew",
    ),
    path("imports/", views.ImportView.as_view(), name="import"),
    path("imports/apply/", views.ImportApplyView.as_view(), name="import-apply"),
]

urlpatterns = course_patterns + schedule_patterns + registration_patterns + feed_patterns
