# Sensitive trainer data (Trainer.PRIVATE_FIELDS, support sessions, wellbeing check-ins) is never
# shown in the admin: see the section "Support, wellbeing and privacy".
