"""What trainers record in the audit trail; registered in TrainersConfig.ready()."""

from django.db import models


class TrainerAction(models.TextChoices):
    ROLE_DESCRIPTION_PUBLISHED = "role_description_published", "Role description published"
    APPLICATION_STATUS_CHANGED = "application_status_changed", "Application moved on"
    TRAINER_ASSIGNED = "trainer_assigned", "Trainer's supporter or programme set"
    T3_PROGRESS_RECORDED = "t3_progress_recorded", "Train the Trainer requirement recorded"
    CERTIFIED = "certified", "Trainer certified"
    CERTIFICATION_CHANGED = "certification_changed", "Certification expiry changed"
    APPLICATION_DELETED = "application_deleted", "Application deleted"
    TRAINER_ACCOUNT_CREATED = "trainer_account_created", "Trainer account created"
