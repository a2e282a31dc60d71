# --- Role descriptions and recruitment ---


# --- Trainer profiles and Train the Trainer ---


# --- Support, wellbeing and privacy ---
