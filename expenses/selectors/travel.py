"""Reads about travel booked for trainers: a trainer's own requests, the coordinators' list of
open ones, one request for whoever may see it, and the sessions a trainer may ask travel for."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from expenses.models import TravelRequest
from people.models import Role, User
from sessions.models import TrainerAssignment, TrainingSession
from trainers.models import Trainer

OPEN = (TravelRequest.Status.REQUESTED, TravelRequest.Status.BOOKED)


def _with_session(requests: QuerySet[TravelRequest]) -> QuerySet[TravelRequest]:
    return requests.select_related("session__course_version__course")


def travel_request_list_for_trainer(*, trainer: Trainer) -> QuerySet[TravelRequest]:
    """A trainer's own requests, the latest journey first."""
    return _with_session(TravelRequest.objects.filter(trainer=trainer)).order_by(
        "-travel_on", "-pk"
    )


def travel_request_list_for_coordinator(*, open_only: bool = True) -> QuerySet[TravelRequest]:
    """Every trainer's requests, soonest journey first; by default only those still to book or
    travel on (requested or booked)."""
    requests = _with_session(TravelRequest.objects.select_related("trainer__user"))
    if open_only:
        requests = requests.filter(status__in=OPEN)
    return requests.order_by("travel_on", "pk")


def travel_request_get_for(*, user: User, pk: int) -> TravelRequest:
    """One request, for its trainer or a coordinator; anyone else gets a 404, so another
    trainer cannot tell that it exists."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    requests = _with_session(TravelRequest.objects.select_related("trainer__user", "booked_by"))
    if not user.has_role(Role.COORDINATOR):
        requests = requests.filter(trainer__user=user)
    return get_object_or_404(requests, pk=pk)


def travel_sessions_for_trainer(*, trainer: Trainer) -> QuerySet[TrainingSession]:
    """Sessions still to come that the trainer has accepted, which travel may be asked for."""
    return (
        TrainingSession.objects.filter(
            assignments__user=trainer.user,
            assignments__status=TrainerAssignment.Status.ACCEPTED,
            starts_at__date__gte=timezone.localdate(),
        )
        .exclude(status=TrainingSession.Status.CANCELLED)
        .select_related("course_version__course")
        .distinct()
        .order_by("starts_at")
    )
