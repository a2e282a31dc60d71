from datetime import date
from decimal import Decimal

from django.db import migrations

# HMRC's approved mileage allowance payments, in force since 6 April 2011 (the first 10,000
# business miles of a tax year for a car).
STARTING_RATES = {
    "car": Decimal("0.45"),
    "passenger": Decimal("0.05"),
    "bicycle": Decimal("0.20"),
    "motorcycle": Decimal("0.24"),
}
IN_FORCE_FROM = date(2011, 4, 6)


def rates_seed(apps, schema_editor):
    MileageRate = apps.get_model("expenses", "MileageRate")
    for vehicle, per_mile in STARTING_RATES.items():
        MileageRate.objects.get_or_create(
            vehicle=vehicle, effective_from=IN_FORCE_FROM, defaults={"per_mile": per_mile}
        )


class Migration(migrations.Migration):
    dependencies = [("expenses", "0001_initial")]

    operations = [migrations.RunPython(rates_seed, migrations.RunPython.noop)]
