"""The initial PS barème: the PS types of the 2012 doctrine and their rates by year (COG 2018-2022, then 2023-2027).

Rates are data: later years, the 2027-2030 merge of AGC and ACF, and the yearly prix plafond (Cnaf barème, not
public) are entered by the pilot in the back-office. Plain data and one writer, with no model import, so that
migration 0003 writes it with its historical models and the demo or the tests write it again after a flush.
Changing these values changes what a new database gets from migration 0003, not an existing one.
"""

from decimal import Decimal

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
# First year of each PS, with its source (public material; the Cnaf texts themselves are not all online).
PREMIERES_ANNEES = {
    # « En 1971, les prestations de service de la Cnaf (créées en 1970) sont étendues aux centres sociaux » sur la
    # base d'une fonction d'animation globale et coordination (historique de la fédération des centres sociaux de
    # Bretagne ; guide comptable des centres sociaux).
    "agc": 1971,
    # Prestation de service « animation collective familles » : 1998 d'après les sources publiques des fédérations et
    # des Caf (à confirmer sur la circulaire Cnaf d'origine).
    "acf": 1998,
    # Prestation de service « animation locale » : lettre-circulaire Cnaf du 31 janvier 2002.
    "animation_locale": 2002,
}
SOURCE_AVANT = "Cnaf, taux de la prestation de service jusqu'en 2022"
SOURCE_APRES = "Cnaf, COG 2023-2027 : taux revalorisés à partir de 2023"
ANNEES = range(2010, 2028)
DERNIERE_ANNEE_AVANT = 2022


def ecrire(*, modele_type_ps, modele_bareme_ps) -> None:
    """Create the missing PS types and yearly rates; rows already there (maybe edited by a pilot) are kept.

    The models are passed in: the real ones, or a migration's historical ones (`apps.get_model`)."""
    for code, libelle, type_structure, agrement, base, ordre in TYPES:
        type_ps, _ = modele_type_ps.objects.get_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "type_structure": type_structure,
                "agrement_requis": agrement,
                "base": base,
                "premiere_annee": PREMIERES_ANNEES[code],
                "ordre": ordre,
            },
        )
        avant, apres = TAUX[code]
        for annee in ANNEES:
            modele_bareme_ps.objects.get_or_create(
                annee=annee,
                type_ps=type_ps,
                defaults={
                    "taux": avant if annee <= DERNIERE_ANNEE_AVANT else apres,
                    "source": SOURCE_AVANT if annee <= DERNIERE_ANNEE_AVANT else SOURCE_APRES,
                },
            )
