"""The demo's partner organisations: those of the founding document's AVS day (Caf, Conseil départemental,
Préfecture / DDCS, Fédération des centres sociaux), created by the accounts' services, and the mandates a pilote
would grant them. The federation's correspondant observatoire mandate lets the demo partner account review the
2016 campaign; the Conseil départemental co-finances (its budgets are the whole département's).

Names are the institutions' own; people, SIRET and mandates are fictional (no SIRET is given)."""

import datetime
from dataclasses import dataclass

from django.db import transaction

from maillage.comptes import services
from maillage.comptes.models import Mandat, Organisation, Utilisateur
from maillage.territoires.models import Departement

DEPARTEMENT = "94"
PILOTE = "pilote@demo.maillage.fr"
DEBUT_MANDATS = datetime.date(2016, 1, 1)
MOTIF = "Mandat de démonstration (fictif) : schéma directeur AVS 2016-2020."


@dataclass(frozen=True)
class OrganisationDemo:
    nom: str
    type: str
    mandat: str = ""
    comptes: tuple[str, ...] = ()


ORGANISATIONS = [
    OrganisationDemo(
        "Caf du Val-de-Marne",
        Organisation.Type.CAF,
        comptes=("pilote@demo.maillage.fr", "conseiller@demo.maillage.fr"),
    ),
    OrganisationDemo(
        "Conseil départemental du Val-de-Marne", Organisation.Type.CONSEIL_DEPARTEMENTAL, Mandat.Nature.CO_FINANCEUR
    ),
    OrganisationDemo("Préfecture du Val-de-Marne — DDCS", Organisation.Type.PREFECTURE),
    OrganisationDemo(
        "Fédération des centres sociaux du Val-de-Marne",
        Organisation.Type.FEDERATION,
        Mandat.Nature.CORRESPONDANT_OBSERVATOIRE,
        comptes=("partenaire@demo.maillage.fr",),
    ),
]


def charger(*, annoncer=print) -> dict:
    """Create the organisations, their mandates and tie the demo accounts (idempotent)."""
    pilote = Utilisateur.objects.filter(email=PILOTE).first()
    departement = Departement.objects.filter(code=DEPARTEMENT).first()
    if pilote is None or departement is None:
        annoncer("  comptes ou territoires de démonstration absents : organisations non créées.")
        return {"organisations": 0, "mandats": 0}
    crees = mandats = 0
    with transaction.atomic():
        for modele in ORGANISATIONS:
            organisation = Organisation.objects.filter(departement=departement, nom=modele.nom).first()
            if organisation is None:
                organisation = services.organisation_creer(
                    par=pilote, nom=modele.nom, type=modele.type, departement=departement
                )
                crees += 1
            if modele.mandat and not organisation.mandats.filter(nature=modele.mandat).exists():
                services.mandat_accorder(
                    par=pilote, organisation=organisation, nature=modele.mandat, debut=DEBUT_MANDATS, motif=MOTIF
                )
                mandats += 1
            Utilisateur.objects.filter(email__in=modele.comptes).update(
                organisation=organisation, organisme=organisation.nom
            )
    annoncer(f"  {crees} organisations créées, {mandats} mandats accordés.")
    return {"organisations": crees, "mandats": mandats}
