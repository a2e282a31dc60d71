from django.core.management.base import BaseCommand

from evaluations.models import EvaluationForm
from evaluations.services import standard_form_seed


class Command(BaseCommand):
    help = (
        "Create the standard evaluation form's first version, published, if there is no "
        "standard form yet. Safe in production and safe to re-run: an existing form is left as "
        "it is."
    )

    def handle(self, *args, **options) -> None:
        existed = EvaluationForm.objects.filter(course=None).exists()
        form = standard_form_seed()
        if existed:
            self.stdout.write(
                f"The standard form already exists ({form}, {form.get_status_display().lower()}); "
                "nothing changed."
            )
        else:
            self.stdout.write(f"Created and published {form}.")
