from django.urls import path  # noqa: F401

from evaluations import views  # noqa: F401

app_name = "evaluations"

# --- The form ---
form_patterns: list = []

# --- Invitations and responses ---
response_patterns: list = []

# --- Results ---
results_patterns: list = []

urlpatterns = form_patterns + response_patterns + results_patterns
