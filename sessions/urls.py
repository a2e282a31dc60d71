from django.urls import path  # noqa: F401

from sessions import views  # noqa: F401

app_name = "sessions"

# --- Courses and venues ---
course_patterns: list = []

# --- Scheduling and trainers ---
schedule_patterns: list = []

# --- Registrations and attendance ---
registration_patterns: list = []

# --- Calendar feeds and imports ---
feed_patterns: list = []

urlpatterns = course_patterns + schedule_patterns + registration_patterns + feed_patterns
