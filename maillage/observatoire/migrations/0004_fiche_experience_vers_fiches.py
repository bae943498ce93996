"""The fiches expérience now belong to the `fiches` app (its 0001 takes the model over with the same table).

State only for the model; the content type follows (`observatoire.ficheexperience` → `fiches.ficheexperience`) so
that the audit entries and permissions already recorded stay attached to the fiches. On a fresh database there is
no content type yet: nothing to do.
"""

from django.db import migrations


def vers_fiches(apps, schema_editor):
    _renommer(apps, schema_editor, de="observatoire", vers="fiches")


def vers_observatoire(apps, schema_editor):
    _renommer(apps, schema_editor, de="fiches", vers="observatoire")


def _renommer(apps, schema_editor, *, de, vers):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=vers, model="ficheexperience").exists():
        types.filter(app_label=de, model="ficheexperience").update(app_label=vers)


class Migration(migrations.Migration):

    dependencies = [
        ('observatoire', '0003_relance'),
        ('fiches', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='FicheExperience')],
            database_operations=[],
        ),
        migrations.RunPython(vers_fiches, vers_observatoire),
    ]
