"""Permission-matrix rows for expenses: fees, earnings and yearly statements.

A session's fees, approving and paying are for coordinators only (403 for everyone else, before
any lookup). A yearly statement (its page, asking for it, the download) is for the trainer it is
about and for coordinators; another trainer gets a 404, as does a tax year before the trainer
joined. Asking for one is a POST, so a GET is refused (405) once the role check has passed."""

from django.utils import timezone

from expenses.models import Fee
from expenses.selectors import tax_year_of
from tests.expenses.factories import FeeFactory, StatementFactory
from tests.permissions import Row, only
from tests.sessions.factories import TrainingSessionFactory
from tests.trainers.factories import TrainerFactory


def this_tax_year() -> int:
    return tax_year_of(timezone.localdate())[0].year


ROWS: list[Row] = [
    Row(
        "expenses:session-fees", lambda p: {"pk": TrainingSessionFactory().pk}, only("coordinator")
    ),
    Row(
        "expenses:fee-approve",
        lambda p: {"pk": FeeFactory().pk},
        only("coordinator") | {"coordinator": 405},
        "POST only",
    ),
    Row(
        "expenses:fee-pay",
        lambda p: {"pk": FeeFactory(status=Fee.Status.APPROVED).pk},
        only("coordinator"),
    ),
    Row(
        "expenses:statements",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"]).pk},
        only("coordinator") | {"trainer_a": 200, "trainer_b": 404},
        "trainer_a's own",
    ),
    Row(
        "expenses:statement-request",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"]).pk, "year": this_tax_year()},
        only("coordinator") | {"trainer_a": 405, "trainer_b": 405, "coordinator": 405},
        "POST only",
    ),
    Row(
        "expenses:statement-pdf",
        lambda p: {
            "pk": StatementFactory(trainer=TrainerFactory(user=p["trainer_a"])).trainer_id,
            "year": this_tax_year(),
        },
        only("coordinator") | {"trainer_a": 200, "trainer_b": 404},
        "trainer_a's own, prepared",
    ),
    Row(
        "expenses:statement-pdf",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"]).pk, "year": this_tax_year()},
        only("coordinator") | {"trainer_a": 302, "trainer_b": 404, "coordinator": 302},
        "trainer_a's own, not prepared yet: to where it is asked for",
    ),
    Row(
        "expenses:statement-pdf",
        lambda p: {"pk": TrainerFactory(user=p["trainer_a"]).pk, "year": this_tax_year() - 1},
        only("coordinator") | {"trainer_a": 404, "trainer_b": 404, "coordinator": 404},
        "a tax year before the trainer joined",
    ),
]
