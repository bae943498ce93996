"""API of the diagnostic territorial: coverage of a département or an EPCI at a date, its QPV, and simulations.

The diagnostics are public aggregates (coverage, distances, priority score with its breakdown); imported Caf
figures themselves are never returned here. Simulation needs a session of a user allowed `diagnostic.simuler` on
the département (a pilote in scope): 401 without a session, 403 otherwise or when the CSRF token is missing.
"""

import dataclasses
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth
from ninja.utils import check_csrf

from maillage.core import horloge
from maillage.core.permissions import peut
from maillage.core.schemas import erreurs
from maillage.territoires import perimetres
from maillage.territoires.api import CodeNom
from maillage.territoires.models import EPCI, Departement
from maillage.territoires.selectors import departement_par_code

from . import agregats, moteur, selectors, services

router = Router(tags=["Diagnostic territorial"])


class SyntheseDiagnosticOut(Schema):
    population: int
    population_couverte: int
    part_population_couverte: float | None
    communes: int
    communes_sans_structure: int
    qpv_total: int
    qpv_sans_structure: int
    structures: int


class SourcesDiagnosticOut(Schema):
    """What a diagnostic or a simulation was computed from (selectors.Sources)."""

    generation_qpv: int | None
    generation_qpv_raison: str | None
    population_millesime: int | None
    population_source: str


class SyntheseDepartementOut(SyntheseDiagnosticOut, SourcesDiagnosticOut):
    communes_non_couvertes: int


class PerimetreOut(Schema):
    valeur: str
    code: str
    nom: str
    decoupage: str


class CommuneDiagnosticOut(Schema):
    code: str
    nom: str
    population: int
    epci: str | None
    structures: int
    structures_situees: int
    structures_pour_10000_habitants: float | None
    distance_structure_km: float | None
    couverte: bool
    qpv: int
    qpv_sans_structure: int
    score_priorite: float
    score_detail: dict[str, float]
    rang: int | None
    structure_proche: int | None


class QPVOut(Schema):
    code: str
    nom: str
    communes: list[str]
    servi: bool
    regle: str
    structures: list[int]


class ParametresOut(Schema):
    distance_couverture_km: float
    tampon_qpv_m: float
    poids: dict[str, float]


class DiagnosticOut(Schema):
    departement: CodeNom | None
    epci: CodeNom | None
    perimetre: PerimetreOut | None = None
    date: datetime.date
    parametres: ParametresOut
    synthese: SyntheseDepartementOut
    communes: list[CommuneDiagnosticOut]
    qpv: list[QPVOut]


class DecoupageOut(Schema):
    cle: str
    libelle: str
    chevauchant: bool


class TerritoireAgregeOut(Schema):
    code: str | None
    nom: str
    communes: int
    population: int
    population_couverte: int
    part_population_couverte: float | None
    structures: int
    communes_sans_structure: int
    qpv: int
    qpv_sans_structure: int


class ParTerritoireOut(Schema):
    departement: CodeNom
    date: datetime.date
    decoupage: DecoupageOut | None
    decoupages: list[DecoupageOut]
    items: list[TerritoireAgregeOut]
    hors_perimetre: TerritoireAgregeOut | None


class QPVListeOut(Schema):
    departement: CodeNom
    date: datetime.date
    qpv_total: int
    qpv_sans_structure: int
    qpv: list[QPVOut]


class SimulationIn(Schema):
    departement: Any = None
    date: Any = None
    ajouts: Any = None
    fermetures: Any = None
    parametres: Any = None


class EcartOut(Schema):
    avant: int | float | None
    apres: int | float | None
    difference: int | float | None


class RangOut(Schema):
    code: str
    nom: str
    rang_avant: int | None
    rang_apres: int | None


class CommuneModifieeOut(Schema):
    code: str
    nom: str
    couverte_avant: bool
    couverte_apres: bool
    structures_avant: int
    structures_apres: int
    distance_structure_km_avant: float | None
    distance_structure_km_apres: float | None


class AjoutOut(Schema):
    id: int
    nom: str
    type: str
    commune: str
    longitude: float | None
    latitude: float | None


class SimulationOut(Schema):
    departement: str
    date: datetime.date
    parametres: ParametresOut
    sources: SourcesDiagnosticOut
    ajouts: list[AjoutOut]
    fermetures: list[int]
    avant: SyntheseDiagnosticOut
    apres: SyntheseDiagnosticOut
    ecarts: dict[str, EcartOut]
    classement: list[RangOut]
    communes: list[CommuneModifieeOut]


class SessionAvecCSRF(SessionAuth):
    """Django session authentication: 401 without a session; then, for unsafe methods, the CSRF check (403).

    ninja's `django_auth` checks CSRF before looking at the session, which answers 403 to an anonymous client;
    here the missing session comes first, and the CSRF refusal has a French reason.
    """

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "Vérification CSRF refusée : envoyez le jeton csrftoken dans l'en-tête X-CSRFToken.")
        return request.COOKIES.get(self.param_name)


session = SessionAvecCSRF()


# --- Helpers --------------------------------------------------------------------------------


def _date(texte) -> datetime.date:
    if texte is None or texte == "":
        return horloge.aujourdhui()
    if isinstance(texte, str):
        try:
            return datetime.date.fromisoformat(texte.strip())
        except ValueError:
            pass
    texte = texte[:40] if isinstance(texte, str) else texte
    raise HttpError(422, f"Date invalide {texte!r} : attendu AAAA-MM-JJ, par exemple 2015-12-31.")


def _parametres(parametres: moteur.Parametres) -> dict:
    return {
        "distance_couverture_km": parametres.distance_couverture_km,
        "tampon_qpv_m": parametres.tampon_qpv_m,
        "poids": dict(parametres.poids),
    }


def _synthese(synthese: moteur.Synthese) -> dict:
    return {champ: getattr(synthese, champ) for champ in selectors.CHAMPS_SYNTHESE}


def _commune(c: moteur.ResultatCommune) -> dict:
    return {
        "code": c.code,
        "nom": c.nom,
        "population": c.population,
        "epci": c.epci,
        "structures": c.structures,
        "structures_situees": c.structures_situees,
        "structures_pour_10000_habitants": c.structures_pour_10000_habitants,
        "distance_structure_km": c.distance_structure_km,
        "couverte": c.couverte,
        "qpv": c.qpv,
        "qpv_sans_structure": c.qpv_sans_structure,
        "score_priorite": c.score_priorite,
        "score_detail": dict(c.score_detail),
        "rang": c.rang,
        "structure_proche": c.structure_proche,
    }


def _qpv(q: moteur.ResultatQPV) -> dict:
    return {
        "code": q.code,
        "nom": q.nom,
        "communes": list(q.communes),
        "servi": q.servi,
        "regle": q.regle,
        "structures": list(q.structures),
    }


def _diagnostic(
    resultat: moteur.Resultat, date, sources: selectors.Sources, *, departement=None, epci=None, perimetre=None
) -> dict:
    return {
        "departement": {"code": departement.code, "nom": departement.nom} if departement else None,
        "epci": {"code": epci.code, "nom": epci.nom} if epci else None,
        "perimetre": (
            {"valeur": perimetre.valeur, "code": perimetre.code, "nom": perimetre.nom, "decoupage": perimetre.decoupage}
            if perimetre
            else None
        ),
        "date": date,
        "parametres": _parametres(resultat.parametres),
        "synthese": {**_synthese(resultat.synthese), **dataclasses.asdict(sources)},
        "communes": [_commune(c) for c in resultat.communes],
        "qpv": [_qpv(q) for q in resultat.qpv],
    }


# --- Routes ---------------------------------------------------------------------------------

DESCRIPTION_COMMUNES = (
    "Par commune : structures compétentes (implantées dans la commune ou la citant dans leur zone de compétence), "
    "structures pour 10 000 habitants, distance à la structure la plus proche (km), couverture, nombre de QPV et de "
    "QPV sans structure, score de priorité (0-100) avec sa décomposition `score_detail` et son rang parmi les "
    "territoires prioritaires (`rang`, 1 = le plus urgent ; null pour une commune couverte). Par QPV : servi ou "
    "non et la règle appliquée (`geometrie`, `zone` ou `communes`). Les structures actives à la date des "
    "départements voisins comptent pour les communes à leur portée. `date` au format AAAA-MM-JJ (aujourd'hui par "
    "défaut). Code inconnu : 404 ; date mal formée : 422. La synthèse dit aussi d'où viennent ses chiffres : "
    "`generation_qpv` (2015 ou 2024 : la génération en vigueur à la date — 2015 jusqu'au 31/12/2023, 2024 ensuite — "
    "quand elle est chargée, sinon l'autre, avec la raison dans `generation_qpv_raison`, null sinon), "
    "`population_millesime` (le millésime des populations légales le plus fréquent parmi les communes : pour "
    "chacune, le dernier millésime importé en vigueur à la date, le millésime N l'étant à partir du 1er janvier "
    "N+3) et `population_source` (la phrase qui le dit, avec les communes d'un autre millésime et celles sans "
    "millésime en vigueur, pour lesquelles la population de référence de la commune sert)."
)


@router.get(
    "/departements/{code}",
    response={200: DiagnosticOut, **erreurs(404, 422)},
    url_name="diagnostic_departement",
    summary="Diagnostic territorial d'un département à une date",
    description=(
        "Couverture du département par les centres sociaux et EVS actifs à la date ; avec `perimetre` "
        "(`epci:<SIREN>`, `ept:<SIREN>`, `territoire_caf:<code>`…), celle des communes de ce périmètre à la date "
        "(périmètre inconnu dans le département à la date : 422). " + DESCRIPTION_COMMUNES
    ),
)
def diagnostic_departement(request, code: str, date: str | None = None, perimetre: str | None = None):
    jour = _date(date)
    departement = departement_par_code(code)
    lu = None
    if perimetre:
        lu = perimetres.perimetre_lu(departement.code, perimetre.strip(), date=jour)
        if lu is None:
            raise HttpError(
                422,
                f"Périmètre inconnu dans le département {departement.code} au {jour:%d/%m/%Y} : {perimetre[:80]!r} "
                "(attendu par exemple epci:200054781 ou ept:200057941).",
            )
    resultat, sources = selectors.diagnostic_et_sources(departement.code, jour, perimetre=lu)
    return _diagnostic(resultat, jour, sources, departement=departement, perimetre=lu)


def _decoupage_out(decoupage) -> dict:
    return {"cle": decoupage.cle, "libelle": decoupage.libelle, "chevauchant": decoupage.chevauchant}


def _territoire_out(ligne) -> dict:
    return {
        champ: getattr(ligne, champ)
        for champ in (
            "code",
            "nom",
            "communes",
            "population",
            "population_couverte",
            "part_population_couverte",
            "structures",
            "communes_sans_structure",
            "qpv",
            "qpv_sans_structure",
        )
    }


@router.get(
    "/departements/{code}/territoires",
    response={200: ParTerritoireOut, **erreurs(404, 422)},
    url_name="diagnostic_departement_territoires",
    summary="Le diagnostic d'un département par territoire (EPT, EPCI, regroupements)",
    description=(
        "Le diagnostic du département à la date, additionné pour chaque périmètre d'un découpage : `decoupage` = "
        "`ept`, `epci`, `territoire_caf`, `ctg`, `territoire_departement` ou `autre` (par défaut : les EPT quand "
        "le département en a, sinon les EPCI, sinon aucun ; `decoupages` liste ceux du département à la date). Par "
        "périmètre : communes, population, population couverte et sa part, structures implantées dans ses "
        "communes, communes sans structure compétente, QPV touchant l'une de ses communes et QPV sans structure "
        "(un QPV à cheval sur deux périmètres compte dans chacun). `hors_perimetre` : les communes d'aucun "
        "périmètre (null s'il n'y en a pas). Un découpage `chevauchant` compte une commune dans chacun de ses "
        "périmètres. Découpage inconnu à la date : 422."
    ),
)
def diagnostic_departement_territoires(request, code: str, decoupage: str | None = None, date: str | None = None):
    jour = _date(date)
    departement = departement_par_code(code)
    choix = perimetres.perimetres_du_departement(departement.code, date=jour)
    disponibles = {d.cle: d for d, _ in choix}
    if decoupage:
        choisi = disponibles.get(decoupage.strip())
        if choisi is None:
            noms = ", ".join(disponibles) or "aucun"
            raise HttpError(
                422,
                f"Découpage inconnu dans le département {departement.code} au {jour:%d/%m/%Y} : {decoupage[:40]!r} "
                f"(découpages disponibles : {noms}).",
            )
    else:
        choisi = agregats.decoupage_par_defaut(disponibles)
    agregat = None
    if choisi is not None:
        resultat = selectors.diagnostic_departement(departement.code, jour)
        agregat = agregats.par_territoire(departement.code, jour, resultat, choisi, perimetres_=choix)
    return {
        "departement": {"code": departement.code, "nom": departement.nom},
        "date": jour,
        "decoupage": _decoupage_out(choisi) if choisi else None,
        "decoupages": [_decoupage_out(d) for d in disponibles.values()],
        "items": [_territoire_out(ligne) for ligne in agregat.lignes] if agregat else [],
        "hors_perimetre": _territoire_out(agregat.hors_perimetre) if agregat and agregat.hors_perimetre else None,
    }


@router.get(
    "/departements/{code}/qpv",
    response={200: QPVListeOut, **erreurs(404, 422)},
    url_name="diagnostic_departement_qpv",
    summary="Les QPV d'un département et leur desserte à une date",
    description=(
        "Chaque quartier prioritaire touchant le département (génération en vigueur à la date, ou celle qui est "
        "chargée) : communes, servi ou non par une structure active à la date, règle appliquée (`geometrie` : une "
        "structure dans le contour ou à moins du tampon ; `zone` : une structure le cite dans sa zone de "
        "compétence ; `communes` : d'après ses communes, faute de contour), structures qui le desservent."
    ),
)
def diagnostic_departement_qpv(request, code: str, date: str | None = None):
    jour = _date(date)
    departement = departement_par_code(code)
    resultat = selectors.diagnostic_departement(departement.code, jour)
    return {
        "departement": {"code": departement.code, "nom": departement.nom},
        "date": jour,
        "qpv_total": resultat.synthese.qpv_total,
        "qpv_sans_structure": resultat.synthese.qpv_sans_structure,
        "qpv": [_qpv(q) for q in resultat.qpv],
    }


@router.get(
    "/epci/{code}",
    response={200: DiagnosticOut, **erreurs(404, 422)},
    url_name="diagnostic_epci",
    summary="Diagnostic territorial d'un EPCI à une date",
    description=(
        "Couverture des communes de l'EPCI (code SIREN), même s'il s'étend sur plusieurs départements ; paramètres "
        "du département qui compte le plus de ses communes (`departement`). " + DESCRIPTION_COMMUNES
    ),
)
def diagnostic_epci(request, code: str, date: str | None = None):
    jour = _date(date)
    code = (code or "").strip()
    epci = EPCI.objects.filter(code=code).only("code", "nom").first() if len(code) <= 9 else None
    if epci is None:
        raise Http404(f"EPCI inconnu : {code!r}.")
    try:
        departement_code, resultat = selectors.diagnostic_epci(epci.code, jour)
    except EPCI.DoesNotExist:
        raise Http404(f"Aucune commune chargée pour l'EPCI {code!r}.") from None
    departement = Departement.objects.only("code", "nom").get(code=departement_code)
    sources = selectors.sources_epci(epci.code, jour)
    return _diagnostic(resultat, jour, sources, departement=departement, epci=epci)


@router.post(
    "/simulations",
    response={200: SimulationOut, **erreurs(400, 401, 403, 404, 413, 415, 422)},
    auth=session,
    url_name="diagnostic_simulation",
    summary="Simuler l'ouverture ou la fermeture de structures",
    description=(
        "Corps : `departement` (code INSEE), `date` (AAAA-MM-JJ, aujourd'hui par défaut), `ajouts` (structures "
        "hypothétiques : `type` centre_social ou evs, `commune` (code INSEE du département), `nom` et "
        "`longitude`/`latitude` facultatifs, la position devant se trouver dans la commune ; sans position, au point "
        "représentatif de la commune), `fermetures` (identifiants de structures du département), `parametres` "
        "facultatifs (`distance_couverture_km`, `tampon_qpv_m`, `poids` ; ceux du département par défaut). Réponse : "
        "la synthèse avant et après, `sources` (génération des QPV et millésime de population employés, comme "
        "dans le diagnostic), les écarts champ par champ, les communes dont le rang de priorité change et "
        "celles dont la couverture change. Nécessite une session d'un pilote du département (401 sans session, 403 "
        "hors périmètre ou sans jeton CSRF) ; rien n'est enregistré."
    ),
)
def simulation(request, corps: SimulationIn):
    user = request.auth
    if not isinstance(corps.departement, str) or not corps.departement.strip():
        raise HttpError(422, 'Indiquez le département (code INSEE, par exemple "94").')
    code = corps.departement.strip().upper()
    if not peut(user, "diagnostic.simuler", code):
        return Status(403, {"detail": "Vous n'avez pas le droit de simuler dans ce département."})
    departement = departement_par_code(code)
    jour = _date(corps.date)
    try:
        preparation = services.preparer_simulation(
            departement=code, ajouts=corps.ajouts, fermetures=corps.fermetures, parametres=corps.parametres
        )
    except ValidationError as erreur:
        detail = "Simulation impossible : corrigez les données envoyées."
        return Status(422, {"detail": detail, "erreurs": erreur.message_dict})
    try:
        simulation = selectors.simuler(
            code,
            jour,
            ajouts=preparation.ajouts,
            fermetures=preparation.fermetures,
            parametres=preparation.parametres,
        )
    except ValueError as erreur:
        return Status(422, {"detail": str(erreur), "erreurs": None})
    avant = {c.code: c for c in simulation.avant.communes}
    modifiees = [
        {
            "code": c.code,
            "nom": c.nom,
            "couverte_avant": avant[c.code].couverte,
            "couverte_apres": c.couverte,
            "structures_avant": avant[c.code].structures,
            "structures_apres": c.structures,
            "distance_structure_km_avant": avant[c.code].distance_structure_km,
            "distance_structure_km_apres": c.distance_structure_km,
        }
        for c in simulation.apres.communes
        if c.code in avant and (c.couverte, c.structures) != (avant[c.code].couverte, avant[c.code].structures)
    ]
    return {
        "departement": departement.code,
        "date": jour,
        "parametres": _parametres(simulation.apres.parametres),
        "sources": dataclasses.asdict(simulation.sources),
        "ajouts": [
            {
                "id": s.id,
                "nom": s.nom,
                "type": s.type,
                "commune": s.commune,
                "longitude": s.longitude,
                "latitude": s.latitude,
            }
            for s in simulation.ajouts
        ],
        "fermetures": simulation.fermetures,
        "avant": _synthese(simulation.avant.synthese),
        "apres": _synthese(simulation.apres.synthese),
        "ecarts": {
            champ: {"avant": avant_, "apres": apres, "difference": difference}
            for champ, (avant_, apres, difference) in simulation.ecarts.items()
        },
        "classement": simulation.classement,
        "communes": modifiees,
    }
