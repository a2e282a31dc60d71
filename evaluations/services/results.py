"""Results: a coordinator releases a session's comments to its trainers, or hides one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.dates import uk_day
from core.text import one_line
from evaluations.audit_actions import EvaluationAction
from evaluations.models import Answer, FreeTextRelease, Question
from people.models import User
from sessions.models import TrainingSession

HIDE_REASON_MAX = 300


@transaction.atomic
def free_text_release(*, session: TrainingSession, by: User) -> FreeTextRelease:
    """Release a session's comments and reflections to its trainers (they read them once at
    least 5 people have responded); recorded in the audit trail."""
    release, created = FreeTextRelease.objects.get_or_create(
        session=session, defaults={"released_by": by}
    )
    if not created:
        when = uk_day(release.released_at)
        raise ValidationError(f"These comments were already released to the trainers on {when}.")
    audit_record(action=EvaluationAction.EVALUATION_COMMENTS_RELEASED, actor=by, obj=session)
    return release


@transaction.atomic
def answer_hide(*, answer: Answer, by: User, reason: str) -> Answer:
    """Hide a comment from the session's trainers. It is kept, with who hid it, when and why;
    the audit trail records which question, never the comment or the reason."""
    answer = (
        Answer.objects.select_for_update().select_related("question", "response").get(pk=answer.pk)
    )
    reason = one_line(reason)
    if answer.question.kind not in Question.TEXT_KINDS:
        raise ValidationError("Only comments (answers in words) can be hidden.")
    if answer.hidden_at is not None:
        raise ValidationError("This comment is already hidden.")
    if not reason:
        raise ValidationError({"reason": "Say why this comment is hidden from the trainers."})
    if len(reason) > HIDE_REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason to {HIDE_REASON_MAX} characters or fewer."}
        )
    answer.hidden_by = by
    answer.hidden_at = timezone.now()
    answer.hidden_reason = reason
    answer.save(update_fields=["hidden_by", "hidden_at", "hidden_reason"])
    audit_record(
        action=EvaluationAction.EVALUATION_COMMENT_HIDDEN,
        actor=by,
        obj=answer.response.session,
        changes={"question": answer.question.key},
    )
    return answer
