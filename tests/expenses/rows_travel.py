"""Permission-matrix rows for expenses: travel booked for trainers.

A request is found for its trainer (trainer_a) or a coordinator; anyone else, trainer_b
included, gets a 404 before anything else is decided. On a coordinator's action its trainer then
gets a 403; marking used is POST only, so a coordinator's GET is a 405."""

from expenses.models import TravelRequest
from tests.expenses.factories import TravelRequestFactory
from tests.permissions import ROLES, SIGN_IN, Row
from tests.trainers.factories import TrainerFactory


def request_of_a(people: dict, **kwargs) -> dict:
    trainer = TrainerFactory(user=people["trainer_a"], status="active")
    return {"pk": TravelRequestFactory(trainer=trainer, **kwargs).pk}


def booked_of_a(people: dict) -> dict:
    return request_of_a(
        people,
        status=TravelRequest.Status.BOOKED,
        booking_details="Off-peak return, ref ABC123",
        booked_at="2026-12-01T10:00:00Z",
    )


def expect(**answers: int | str) -> dict[str, int | str]:
    return dict.fromkeys(ROLES, 404) | {"visitor": SIGN_IN} | answers


ROWS: list[Row] = [
    Row("expenses:travel-detail", request_of_a, expect(trainer_a=200, coordinator=200)),
    Row("expenses:travel-cancel", request_of_a, expect(trainer_a=200, coordinator=200)),
    Row("expenses:travel-book", request_of_a, expect(trainer_a=403, coordinator=200)),
    Row("expenses:travel-used", booked_of_a, expect(trainer_a=403, coordinator=405)),
]
