"""What training sessions record in the audit trail; registered in SessionsConfig.ready()."""

from django.db import models


class SessionAction(models.TextChoices):
    COURSE_VERSION_PILOTED = "course_version_piloted", "Course version moved to pilot"
    COURSE_VERSION_PUBLISHED = "course_version_published", "Course version published"
    IMPORT = "import", "Imported data"
    CALENDAR_FEED_RENEWED = "calendar_feed_renewed", "Calendar address replaced"
    ATTENDANCE_RECORDED = "attendance_recorded", "Attendance recorded"
    DELIVERY_REPORT_FILED = "delivery_report_filed", "Delivery report filed"
    SESSION_COST_ADDED = "session_cost_added", "Session cost added"
    SESSION_COST_REMOVED = "session_cost_removed", "Session cost removed"
    SESSION_SCHEDULED = "session_scheduled", "Session scheduled"
    SESSION_CHANGED = "session_changed", "Session changed or moved"
    SESSION_CONFIRMED = "session_confirmed", "Session confirmed"
    SESSION_CANCELLED = "session_cancelled", "Session cancelled"
    ASSIGNMENT_INVITED = "assignment_invited", "Invited to a session"
    ASSIGNMENT_OVERRIDDEN = "assignment_overridden", "Trainer's own limits overridden"
    ASSIGNMENT_ANSWERED = "assignment_answered", "Invitation to a session answered"
    ASSIGNMENT_WITHDRAWN = "assignment_withdrawn", "Taken off a session"
