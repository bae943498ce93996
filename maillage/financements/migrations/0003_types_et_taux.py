"""The PS types of the 2012 doctrine and their rates by year (COG 2018-2022, then 2023-2027).

The data lives in `maillage.financements.bareme_initial`, also used by the demo and the tests after a flush.
"""

from django.db import migrations

from maillage.financements import bareme_initial


def creer(apps, schema_editor):
    bareme_initial.ecrire(
        modele_type_ps=apps.get_model("financements", "TypePS"),
        modele_bareme_ps=apps.get_model("financements", "BaremePS"),
    )


class Migration(migrations.Migration):
    dependencies = [("financements", "0002_initial")]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
