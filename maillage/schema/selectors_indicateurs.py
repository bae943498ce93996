"""Reads of the indicators of a schéma: the data the catalogue reads (`Lecteur`), the data version that tells
when computed values are stale (`version_donnees_schema`), and the indicators with their values as lines for the
pages, the API, the meeting preparation and the documents (`indicateurs_du_schema`, constant number of queries)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Max, OuterRef, Prefetch

from maillage.diagnostic.models import ParametresDiagnostic
from maillage.diagnostic.selectors import diagnostics_departement
from maillage.financements.models import Budget, LigneProduit
from maillage.financements.selectors import consolidation
from maillage.observatoire import agregats
from maillage.observatoire.models import Campagne, Reponse
from maillage.observatoire.resultats.selectors import compteurs_reponses, lignes_validees
from maillage.structures.models import Agrement, Gestionnaire, SituationQPV, Structure, TypeAgrement
from maillage.structures.selectors import STATUTS_ACTIFS, structures_actives
from maillage.territoires.models import EPCI, QPV, Chargement, Commune, Departement

from . import indicateurs as catalogue
from .models import Indicateur, Schema, ValeurIndicateur

# What the catalogue reads. Not the schéma's own models: editing a fiche action does not make a recomputation.
MODELES_LUS = (
    Departement,
    EPCI,
    Commune,
    QPV,
    Structure,
    Gestionnaire,
    Agrement,
    ParametresDiagnostic,
    Budget,
    LigneProduit,
    Campagne,
    Reponse,
)


def version_donnees_schema(departement: str) -> str:
    """Changes whenever a datum the catalogue reads changes: bulk loads and imports (`Chargement`), single edits
    (the audit trail of MODELES_LUS). Two aggregate queries.

    Instance-wide for now (a change in another département also moves it: one recomputation too many, never one
    too few); `departement` lets a finer version come without changing the callers."""
    dernier = Chargement.objects.aggregate(id=Max("id"), fin=Max("fin"))
    fin = dernier["fin"].timestamp() if dernier["fin"] else 0
    types = ContentType.objects.get_for_models(*MODELES_LUS).values()
    journal = LogEntry.objects.filter(content_type__in=types).aggregate(id=Max("id"))["id"]
    return f"{dernier['id'] or 0}-{fin:.0f}-{journal or 0}"


# --- The catalogue's reader -------------------------------------------------------------------------------------


class Lecteur:
    """The data of one département as the catalogue reads them, each answer kept for the run (several indicators
    and dates read the same registry, diagnostic, consolidation or campaign)."""

    def __init__(self, departement: str, *, jour: datetime.date, dates=()):
        self.departement = departement
        self.jour = jour
        self._memo: dict = {}
        # The dates the run will ask for: the diagnostic's coverage is computed for all of them at once.
        self._dates_prevues = set(dates)

    def _garder(self, cle, calcul):
        if cle not in self._memo:
            self._memo[cle] = calcul()
        return self._memo[cle]

    def registre(self, date: datetime.date) -> catalogue.Registre:
        return self._garder(("registre", date), lambda: self._registre(date))

    def _registre(self, date):
        zone_qpv = Structure.qpv_competence.through.objects.filter(structure_id=OuterRef("pk"))
        lignes = (
            structures_actives(date, departement=self.departement)
            .annotate(zone_qpv=Exists(zone_qpv))
            .order_by()
            .values("type", "gestionnaire__mode_gestion", "situation_qpv", "zone_qpv")
            .annotate(nombre=Count("pk"))
        )
        par_type: dict[str, int] = {}
        cs_par_mode: dict[str, int] = {}
        qpv_par_type: dict[str, int] = {}
        for ligne in lignes:
            type_, n = ligne["type"], ligne["nombre"]
            par_type[type_] = par_type.get(type_, 0) + n
            if type_ == catalogue.CENTRE_SOCIAL:
                mode = ligne["gestionnaire__mode_gestion"]
                cs_par_mode[mode] = cs_par_mode.get(mode, 0) + n
            if ligne["zone_qpv"] or ligne["situation_qpv"] in (SituationQPV.DANS_QPV, SituationQPV.PROXIMITE):
                qpv_par_type[type_] = qpv_par_type.get(type_, 0) + n
        return catalogue.Registre(par_type, cs_par_mode, qpv_par_type)

    def couverture(self, date: datetime.date) -> catalogue.Couverture | None:
        if ("couverture", date) not in self._memo:
            dates = {date} | {d for d in self._dates_prevues if ("couverture", d) not in self._memo}
            self._memo.update({("couverture", d): c for d, c in self._couvertures(sorted(dates)).items()})
        return self._memo[("couverture", date)]

    def _couvertures(self, dates):
        """The diagnostic's synthesis at each date: one read of the inputs for the whole series."""
        try:
            resultats = diagnostics_departement(self.departement, dates)
        except Departement.DoesNotExist:
            return dict.fromkeys(dates)
        couvertures = {}
        for date, (resultat, generation) in resultats.items():
            s = resultat.synthese
            couvertures[date] = None
            if s.communes:
                couvertures[date] = catalogue.Couverture(
                    population=s.population,
                    population_couverte=s.population_couverte,
                    communes=s.communes,
                    communes_sans_structure=s.communes_sans_structure,
                    qpv_total=s.qpv_total,
                    qpv_sans_structure=s.qpv_sans_structure,
                    generation_qpv=generation,
                    distance_km=float(resultat.parametres.distance_couverture_km),
                )
        return couvertures

    def finances(self, annee: int) -> catalogue.Finances:
        return self._garder(("finances", annee), lambda: self._finances(annee))

    def _finances(self, annee):
        c = consolidation(annee=annee, departement=self.departement)
        return catalogue.Finances(
            annee=annee,
            structures_par_type=dict(c.structures_par_type),
            budget_par_type=dict(c.budget_par_type),
            budgets_renseignes=dict(c.budgets_renseignes),
            prestations_service=c.prestations_service,
            fonds_locaux=c.fonds_locaux,
        )

    def renouvellements(self, debut: datetime.date, fin: datetime.date) -> catalogue.Renouvellements:
        return self._garder(("renouvellements", debut, fin), lambda: self._renouvellements(debut, fin))

    def _renouvellements(self, debut, fin):
        echus = list(
            Agrement.objects.filter(
                structure__departement_id=self.departement, statut__in=STATUTS_ACTIFS, fin__gte=debut, fin__lte=fin
            ).only("pk", "structure_id", "type", "debut", "fin")
        )
        if not echus:
            return catalogue.Renouvellements(0, 0)
        suivants: dict[int, list[Agrement]] = {}
        for suivant in Agrement.objects.filter(
            structure_id__in={a.structure_id for a in echus},
            statut__in=STATUTS_ACTIFS,
            debut__gt=min(a.debut for a in echus),
        ).only("pk", "structure_id", "type", "debut", "date_decision"):
            suivants.setdefault(suivant.structure_id, []).append(suivant)
        a_temps = sum(1 for a in echus if any(_renouvelle_a_temps(a, s) for s in suivants.get(a.structure_id, ())))
        return catalogue.Renouvellements(len(echus), a_temps)

    def observatoire(self, annee: int) -> catalogue.Observatoire | None:
        return self._garder(("observatoire", annee), lambda: self._observatoire(annee))

    def _observatoire(self, annee):
        campagne = Campagne.objects.filter(departement_id=self.departement, annee=annee).first()
        if campagne is None:
            return None
        compte = compteurs_reponses(campagne)
        ensemble = agregats.agreger(lignes_validees([campagne]))
        totaux = {cle: (stat.total, stat.n) for cle, stat in ensemble.indicateurs.items()}
        return catalogue.Observatoire(
            annee=campagne.annee,
            annee_donnees=campagne.annee_donnees,
            attendues=compte["attendues"],
            recues=compte["recues"],
            validees=compte["validees"],
            close=self.jour > campagne.date_limite_relecture,
            totaux=totaux,
        )


def _renouvelle_a_temps(agrement: Agrement, suivant: Agrement) -> bool:
    """A later agrément of the same kind (an ACF may be renewed within the animation globale), starting at the
    latest the day after the end, decided at the latest on the end date (continuity alone when no date was kept)."""
    types = {agrement.type}
    if agrement.type == TypeAgrement.ACF:
        types.add(TypeAgrement.ANIMATION_GLOBALE)
    return (
        suivant.pk != agrement.pk
        and suivant.type in types
        and agrement.debut < suivant.debut <= agrement.fin + datetime.timedelta(days=1)
        and (suivant.date_decision is None or suivant.date_decision <= agrement.fin)
    )


# --- Lines of a schéma's indicators -----------------------------------------------------------------------------


class Point(NamedTuple):
    valeur: Decimal
    date: datetime.date | None


class Derniere(NamedTuple):
    valeur: Decimal
    date: datetime.date
    methode: str


class ValeurLigne(NamedTuple):
    date: datetime.date
    valeur: Decimal
    figee: bool
    methode: str


@dataclass
class LigneIndicateur:
    """One indicator as every reader shows it. `valeurs` are dated, oldest first; `en_bonne_voie` compares the last
    value with the straight line from the baseline to the target (`indicateurs.en_bonne_voie`)."""

    indicateur: Indicateur
    code: str
    libelle: str
    unite: str
    sens: str
    source: str  # "manuel" | "calcule"
    rattachement: str
    reference: Point | None
    cible: Point | None
    derniere: Derniere | None
    valeurs: list[ValeurLigne]
    en_bonne_voie: bool | None
    groupe: tuple = ()  # sort key of its attachment: schéma, then axes, then fiches actions

    def texte(self, valeur) -> str:
        return catalogue.formater(valeur, self.unite)

    @property
    def reference_texte(self) -> str:
        return self.texte(self.reference.valeur) if self.reference else "—"

    @property
    def cible_texte(self) -> str:
        return self.texte(self.cible.valeur) if self.cible else "—"

    @property
    def derniere_texte(self) -> str:
        return self.texte(self.derniere.valeur) if self.derniere else "—"

    @property
    def definition(self) -> catalogue.Definition | None:
        return catalogue.definition(self.indicateur.definition) if self.source == Indicateur.Source.CALCULE else None


def rattachement(indicateur: Indicateur) -> tuple[tuple, str]:
    """(sort key, French text) of what the indicator is attached to (axe and fiche already loaded)."""
    if indicateur.fiche_id:
        fiche = indicateur.fiche
        return (2, fiche.numero, fiche.pk), f"Fiche action {fiche.numero} — {fiche.titre}"
    if indicateur.axe_id:
        axe = indicateur.axe
        return (1, f"{axe.numero:04d}", axe.pk), f"Axe {axe.numero} — {axe.titre}"
    return (0, "", 0), "Schéma"


def indicateurs_avec_valeurs(schema: Schema):
    """The schéma's indicators with their axe, fiche and values (with their author): two queries."""
    return (
        Indicateur.objects.filter(schema=schema)
        .select_related("axe", "fiche")
        .prefetch_related(
            Prefetch("valeurs", queryset=ValeurIndicateur.objects.select_related("auteur").order_by("date", "pk"))
        )
        .order_by("ordre", "code", "pk")
    )


def ligne(indicateur: Indicateur) -> LigneIndicateur:
    valeurs = list(indicateur.valeurs.all())
    reference = None
    if indicateur.reference_valeur is not None:
        reference = Point(indicateur.reference_valeur, indicateur.reference_date)
    elif indicateur.source == Indicateur.Source.CALCULE and indicateur.reference_date is not None:
        # A computed baseline: the value computed at the reference date.
        a_la_date = next((v for v in valeurs if v.date == indicateur.reference_date), None)
        if a_la_date is not None:
            reference = Point(a_la_date.valeur, a_la_date.date)
    cible = Point(indicateur.cible_valeur, indicateur.cible_date) if indicateur.cible_valeur is not None else None
    derniere = Derniere(valeurs[-1].valeur, valeurs[-1].date, valeurs[-1].methode) if valeurs else None
    groupe, texte = rattachement(indicateur)
    return LigneIndicateur(
        indicateur=indicateur,
        code=indicateur.code,
        libelle=indicateur.libelle,
        unite=indicateur.unite,
        sens=indicateur.sens,
        source=indicateur.source,
        rattachement=texte,
        reference=reference,
        cible=cible,
        derniere=derniere,
        valeurs=[ValeurLigne(v.date, v.valeur, v.figee, v.methode) for v in valeurs],
        en_bonne_voie=catalogue.en_bonne_voie(indicateur.sens, reference, cible, derniere),
        groupe=groupe,
    )


def indicateurs_du_schema(schema: Schema, *, recalculer: bool = True) -> list[LigneIndicateur]:
    """Every indicator of `schema` as a line, ordered by attachment (schéma, axes, fiches) then order and code.

    With `recalculer`, computed indicators whose data changed since their values were computed are brought up to
    date first (`services_indicateurs.indicateurs_recalculer`). Up to date: two queries for the lines, plus the data
    version's two when the schéma has computed indicators."""
    indicateurs = list(indicateurs_avec_valeurs(schema))
    if recalculer and any(i.source == Indicateur.Source.CALCULE for i in indicateurs):
        from . import services_indicateurs  # the service reads this module

        if services_indicateurs.a_recalculer(schema, indicateurs):
            services_indicateurs.indicateurs_recalculer(schema=schema)
            indicateurs = list(indicateurs_avec_valeurs(schema))
    for indicateur in indicateurs:
        indicateur.schema = schema
    lignes = [ligne(i) for i in indicateurs]
    lignes.sort(key=lambda x: x.groupe)  # stable: keeps order and code within a group
    return lignes


def ligne_indicateur(indicateur: Indicateur, *, recalculer: bool = True) -> LigneIndicateur:
    """One indicator as a line (brought up to date first when computed and stale); its `indicateur` has its values
    with their author prefetched (the history table)."""
    schema = indicateur.schema
    if recalculer and indicateur.source == Indicateur.Source.CALCULE:
        from . import services_indicateurs

        if services_indicateurs.a_recalculer(schema, [indicateur]):
            services_indicateurs.indicateurs_recalculer(schema=schema)
    charge = indicateurs_avec_valeurs(schema).filter(pk=indicateur.pk).first()
    charge.schema = schema
    return ligne(charge)


def indicateur_detaille(pk) -> Indicateur | None:
    """One indicator with its schéma (and département), axe and fiche; None when unknown."""
    return (
        Indicateur.objects.select_related("schema", "schema__departement", "axe", "fiche")
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
