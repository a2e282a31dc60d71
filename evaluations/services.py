# --- The form ---


# --- Invitations and responses ---


# --- Results ---
