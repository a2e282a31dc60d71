"""What evaluations record in the audit trail; registered in EvaluationsConfig.ready()."""

from django.db import models


class EvaluationAction(models.TextChoices):
    EVALUATION_COMMENTS_RELEASED = "evaluation_comments_released", "Comments released to trainers"
    EVALUATION_COMMENT_HIDDEN = "evaluation_comment_hidden", "Evaluation comment hidden"
    EVALUATION_FORM_PUBLISHED = "evaluation_form_published", "Evaluation form published"
    COURSE_REVIEW_RECORDED = "course_review_recorded", "Course review recorded"
    COURSE_REVIEW_NEXT_VERSION = (
        "course_review_next_version",
        "Next course version started from a review",
    )
