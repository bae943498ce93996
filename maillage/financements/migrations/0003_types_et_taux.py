"""The PS types of the 2012 doctrine and their rates by year (COG 2018-2022, then 2023-2027).

Rates are data: later years, the 2027-2030 merge of AGC and ACF, and the yearly prix plafond (Cnaf
barème, not public) are entered by the pilot in the back-office.
"""

from decimal import Decimal

from django.db import migrations

TYPES = [
    ("agc", "Animation globale et coordination (AGC)", "centre_social", "animation_globale", "pilotage_logistique", 1),
    ("acf", "Animation collective familles (ACF)", "centre_social", "acf", "referent_familles", 2),
    ("animation_locale", "Animation locale (EVS)", "evs", "animation_locale", "charges_totales", 3),
]
TAUX = {
    "agc": (Decimal("0.4000"), Decimal("0.4240")),
    "acf": (Decimal("0.6000"), Decimal("0.6360")),
    "animation_locale": (Decimal("0.6000"), Decimal("0.6360")),
}
SOURCE_AVANT = "Cnaf, taux de la prestation de service jusqu'en 2022"
SOURCE_APRES = "Cnaf, COG 2023-2027 : taux revalorisés à partir de 2023"


def creer(apps, schema_editor):
    TypePS = apps.get_model("financements", "TypePS")
    BaremePS = apps.get_model("financements", "BaremePS")
    for code, libelle, type_structure, agrement, base, ordre in TYPES:
        type_ps, _ = TypePS.objects.get_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "type_structure": type_structure,
                "agrement_requis": agrement,
                "base": base,
                "premiere_annee": 2000,
                "ordre": ordre,
            },
        )
        avant, apres = TAUX[code]
        for annee in range(2010, 2028):
            BaremePS.objects.get_or_create(
                annee=annee,
                type_ps=type_ps,
                defaults={
                    "taux": avant if annee <= 2022 else apres,
                    "source": SOURCE_AVANT if annee <= 2022 else SOURCE_APRES,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("financements", "0002_initial")]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
