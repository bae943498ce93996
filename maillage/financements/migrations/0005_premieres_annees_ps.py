"""First years of the PS types, documented (bareme_initial.PREMIERES_ANNEES): AGC 1971, ACF 1998, animation locale
2002 instead of 2000 for all three. A type whose first year was changed by hand (not 2000) is kept."""

from django.db import migrations

# Frozen here: later edits of bareme_initial must not change what this migration did.
PREMIERES_ANNEES = {"agc": 1971, "acf": 1998, "animation_locale": 2002}


def corriger(apps, schema_editor):
    TypePS = apps.get_model("financements", "TypePS")
    for code, annee in PREMIERES_ANNEES.items():
        TypePS.objects.filter(code=code, premiere_annee=2000).update(premiere_annee=annee)


def revenir(apps, schema_editor):
    TypePS = apps.get_model("financements", "TypePS")
    for code, annee in PREMIERES_ANNEES.items():
        TypePS.objects.filter(code=code, premiere_annee=annee).update(premiere_annee=2000)


class Migration(migrations.Migration):
    dependencies = [("financements", "0004_version_edition")]

    operations = [migrations.RunPython(corriger, revenir)]
