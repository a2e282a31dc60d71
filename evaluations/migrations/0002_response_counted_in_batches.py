from django.db import migrations, models

BATCH = 5  # evaluations.selectors.MIN_RESPONSES_TO_SHOW when this was written


def count_existing_responses_in_batches(apps, schema_editor):
    """Each session's responses so far, in whole batches of five, oldest first; the rest wait
    for the next batch like new ones."""
    Response = apps.get_model("evaluations", "Response")
    sessions = Response.objects.order_by().values_list("session", flat=True).distinct()
    for session in sessions.iterator():
        ids = list(
            Response.objects.filter(session=session).order_by("pk").values_list("pk", flat=True)
        )
        whole = len(ids) - len(ids) % BATCH
        if whole:
            Response.objects.filter(pk__in=ids[:whole]).update(counted=True)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="counted",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(count_existing_responses_in_batches, migrations.RunPython.noop),
    ]
