# --- Courses and venues ---


# --- Scheduling and trainers ---


# --- Registrations and attendance ---


# --- Calendar feeds and imports ---
