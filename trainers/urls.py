from django.urls import path  # noqa: F401

from trainers import views  # noqa: F401

app_name = "trainers"

# --- Role descriptions and recruitment ---
recruitment_patterns: list = []

# --- Trainer profiles and Train the Trainer ---
profile_patterns: list = []

# --- Support, wellbeing and privacy ---
support_patterns: list = []

urlpatterns = recruitment_patterns + profile_patterns + support_patterns
