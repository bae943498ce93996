"""The site's navigation, built in one place from the permission rules: a link is shown only if its page opens.

Each entry names the rule its page checks (`maillage.core.permissions.peut`) and the object it checks it on (the
user's département, else the platform's). The header (`base.html`), the site map and the help page read the same
entries, so that they never disagree with what the pages allow.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from maillage.core.permissions import actif, codes_departements, est_admin, peut
from maillage.core.roles import Role
from maillage.observatoire.permissions import est_correspondant

PRINCIPAL = "principal"
PLUS = "plus"
COMPTE = "compte"


@dataclass(frozen=True)
class Entree:
    libelle: str
    url: str
    groupe: str
    # What the page is for, in one sentence (site map and help page).
    aide: str = ""
    # URL namespaces (and name prefixes) under which the entry is the current section.
    espaces: tuple[str, ...] = ()
    # aria-current: "page" on the entry's own page, "true" on a page below it, "" elsewhere.
    actif: str = ""


@dataclass(frozen=True)
class _Definition:
    libelle: str
    nom_url: str
    groupe: str
    aide: str
    # (user, département code) → shown? The rule the page itself checks.
    condition: Callable[[object, str], bool]
    avec_departement: str = ""  # "" | "arg" (URL argument) | "get" (?departement=)
    espaces: tuple[str, ...] = ()
    # Without a département (a national instance, a visitor): this URL instead, or no entry.
    sans_departement: str = ""
    kwargs: dict = field(default_factory=dict)


def departement_de(user) -> str:
    """The département the navigation points to: the account's first, else the platform's."""
    codes = sorted(codes_departements(user)) if actif(user) else []
    if codes:
        return codes[0]
    return settings.MAILLAGE_PLATEFORME.get("departement_defaut", "") or ""


def _connecte(user, _code) -> bool:
    return actif(user)


def _toujours(_user, _code) -> bool:
    return True


def _role(*roles):
    return lambda user, _code: actif(user) and user.role in roles and not est_admin(user)


def _regle(action: str, *, sur_departement: bool = True):
    return lambda user, code: peut(user, action, code if sur_departement else None)


def _structure_rattachee(user, _code) -> bool:
    return actif(user) and user.role == Role.STRUCTURE and bool(user.structure_id)


def _suit_campagnes(user, code) -> bool:
    """The campaigns list is for those who follow campaigns: Caf staff, and partners only with a correspondant
    observatoire mandate (without one, its follow-up links would all be refused: they get the published results).
    Structures fill their questionnaires from « Mon questionnaire »."""
    if not peut(user, "departement.voir_pilotage", code):
        return False
    return user.role != Role.PARTENAIRE or est_correspondant(user, code)


def _observatoire_public(user, code) -> bool:
    # A structure account has « Mon questionnaire » up front; its published results go under « Plus ».
    return not _suit_campagnes(user, code) and not _structure_rattachee(user, code)


def _resultats_dans_plus(user, code) -> bool:
    return _suit_campagnes(user, code) or _structure_rattachee(user, code)


DEFINITIONS = (
    _Definition("Mon espace", "accueil:espace", PRINCIPAL, "Ce que vous avez à faire, avec un lien vers chaque tâche.",
                _connecte, espaces=("accueil:espace",)),
    _Definition("Accueil", "accueil:accueil", PRINCIPAL, "Présentation de la plateforme et choix d'un département.",
                lambda user, code: not actif(user), espaces=("accueil:accueil",)),
    _Definition("Territoires", "territoires:departement", PRINCIPAL,
                "Le département, ses communes, EPCI et quartiers prioritaires, et leur couverture.",
                _regle("territoire.voir", sur_departement=False), avec_departement="arg", espaces=("territoires",),
                sans_departement="/#titre-choix"),
    _Definition("Annuaire", "structures:annuaire", PRINCIPAL,
                "Les centres sociaux et espaces de vie sociale, sur une carte et en liste.",
                _toujours, avec_departement="get",
                espaces=("structures:annuaire", "structures:structure", "structures:contact", "structures:projet",
                         "structures:document", "structures:gestionnaire")),
    _Definition("Tableau de bord", "financements:tableau_de_bord_departement", PRINCIPAL,
                "Les chiffres clés du département : structures, agréments, budgets et prestations.",
                _toujours, avec_departement="arg", espaces=("financements:tableau_de_bord",)),
    _Definition("Diagnostic", "diagnostic:departement", PRINCIPAL,
                "Le diagnostic territorial : besoins par commune, couverture, simulation d'implantations.",
                _toujours, avec_departement="arg", espaces=("diagnostic",)),
    _Definition("Mon questionnaire", "observatoire:mes_reponses", PRINCIPAL,
                "Le questionnaire annuel de votre structure : le remplir, le corriger, le soumettre.",
                _structure_rattachee, espaces=("observatoire:mes_reponses", "observatoire:reponse",
                                               "observatoire:section")),
    _Definition("Observatoire", "observatoire:campagnes", PRINCIPAL,
                "Les campagnes du questionnaire annuel, leur suivi et la relecture des réponses.",
                _suit_campagnes, avec_departement="arg",
                espaces=("observatoire:campagne", "observatoire:suivi", "observatoire:relire")),
    _Definition("Observatoire", "observatoire:publications", PRINCIPAL,
                "Les résultats publiés de l'observatoire, par année et par département.",
                _observatoire_public, espaces=("observatoire:publications", "observatoire:synthese")),
    _Definition("Schéma directeur", "schema:liste", PRINCIPAL,
                "Le schéma directeur de l'animation de la vie sociale : enjeux, fiches actions, gouvernance.",
                _toujours, avec_departement="get", espaces=("schema",)),
    _Definition("Événements", "reseau:evenements", PRINCIPAL,
                "L'agenda du réseau : journées, ateliers, formations, et l'inscription.",
                _toujours, avec_departement="get", espaces=("reseau:evenement", "reseau:serie", "reseau:programme")),
    # Secondary entries, behind « Plus ».
    _Definition("Renouvellements", "structures:renouvellements", PLUS,
                "Les agréments à renouveler et en retard, avec les étapes de chaque dossier.",
                _regle("departement.gerer"), avec_departement="arg",
                espaces=("structures:renouvellements", "structures:agrement")),
    _Definition("Ma structure", "structures:ma_structure", PLUS,
                "La fiche de votre structure : coordonnées, contacts, projet social et documents.",
                _structure_rattachee),
    _Definition("Résultats de l'observatoire", "observatoire:publications", PLUS,
                "Les résultats publiés de l'observatoire, par année et par département.",
                _resultats_dans_plus, espaces=("observatoire:publications", "observatoire:synthese")),
    _Definition("Expériences", "observatoire:fiches", PLUS,
                "Les fiches expérience des structures : des actions racontées pour s'en inspirer.",
                _toujours, espaces=("observatoire:fiche",)),
    _Definition("Ressources", "reseau:ressources", PLUS,
                "Documents, restitutions et guides du réseau.", _toujours, espaces=("reseau:ressource",)),
    _Definition("Actualités", "reseau:actualites", PLUS, "Les nouvelles du réseau.", _toujours,
                espaces=("reseau:actualite",)),
    _Definition("Mes inscriptions", "reseau:mes_inscriptions", PLUS,
                "Les événements auxquels vous êtes inscrit·e, et l'annulation.", _connecte,
                espaces=("reseau:mes_inscriptions",)),
    _Definition("Annuaire du réseau", "reseau:annuaire", PLUS,
                "Les personnes du réseau, leurs fonctions et coordonnées, et les listes de diffusion.",
                _regle("annuaire.voir"), avec_departement="get", espaces=("reseau:annuaire", "reseau:personne",
                                                                          "reseau:liste")),
    _Definition("Import de structures", "structures:import", PLUS,
                "Importer ou mettre à jour des structures depuis un tableur, avec un aperçu avant d'écrire.",
                _regle("structure.creer"), espaces=("structures:import",)),
    _Definition("Regroupements de communes", "territoires:regroupements", PLUS,
                "Les EPT et les regroupements de la Caf et du Département : les importer, les dessiner, les dater.",
                _regle("departement.gerer"), avec_departement="arg",
                espaces=("territoires:regroupement",)),
    _Definition("Journal des imports", "territoires:chargements", PLUS,
                "Les chargements et imports de données : fichier, auteur, résultat, erreurs.",
                _regle("chargement.voir", sur_departement=False), espaces=("territoires:chargement",)),
    _Definition("Comptes", "comptes:gestion", PLUS,
                "Inviter les comptes du département, les modifier, gérer les organisations et leurs mandats.",
                _regle("comptes.gerer"), espaces=("comptes:liste", "comptes:gestion", "comptes:organisation")),
    _Definition("Barème", "financements:bareme", PLUS,
                "Le barème de la prestation de service par année (taux et prix plafonds).",
                _regle("bareme.voir", sur_departement=False), espaces=("financements:bareme",)),
    _Definition("API", "api:openapi-view", PLUS, "La documentation de l'API de données ouvertes.", _toujours),
    _Definition("Administration", "admin:index", PLUS,
                "L'administration technique (Django) : comptes, référentiels, barème.",
                lambda user, code: actif(user) and user.is_staff and est_admin(user)),
    _Definition("Mon compte", "comptes:espace", COMPTE,
                "Votre profil, la double authentification, le mot de passe et vos données personnelles.",
                _connecte, espaces=("comptes:espace", "comptes:mot_de_passe", "comptes:otp")),
    _Definition("Se connecter", "comptes:connexion", COMPTE, "La connexion à votre compte.",
                lambda user, code: not actif(user), espaces=("comptes:connexion",)),
)  # fmt: skip


def _url(definition: _Definition, code: str) -> str | None:
    try:
        if definition.avec_departement == "arg":
            if not code:
                return definition.sans_departement or None
            return reverse(definition.nom_url, args=[code])
        url = reverse(definition.nom_url)
    except NoReverseMatch:
        return None  # an app not installed on this instance
    if definition.avec_departement == "get" and code:
        url += f"?departement={code}"
    return url


def _est_courante(espaces: tuple[str, ...], espace: str, nom_url: str) -> bool:
    complet = f"{espace}:{nom_url}"
    return any(e == espace or complet.startswith(e) for e in espaces)


def _courant(url: str, espaces: tuple[str, ...], chemin: str, espace: str, nom_url: str) -> str:
    if chemin and "#" not in url and url.split("?")[0] == chemin:
        return "page"
    if espace and _est_courante(espaces, espace, nom_url):
        return "true"
    return ""


def entrees(user, *, espace: str = "", nom_url: str = "", chemin: str = "") -> list[Entree]:
    """The entries `user` may open, in order; `espace`/`nom_url`/`chemin`: the current page (resolver match and
    path), for aria-current."""
    code = departement_de(user)
    resultat = []
    for definition in DEFINITIONS:
        if not definition.condition(user, code):
            continue
        url = _url(definition, code)
        if url is None:
            continue
        resultat.append(
            Entree(
                definition.libelle,
                url,
                definition.groupe,
                definition.aide,
                definition.espaces,
                _courant(url, definition.espaces, chemin, espace, nom_url),
            )
        )
    return resultat


def menu(request) -> dict:
    """The header's three groups, for the context processor."""
    match = getattr(request, "resolver_match", None)
    espace = (match.namespace if match else "") or ""
    nom_url = (match.url_name if match else "") or ""
    liste = entrees(request.user, espace=espace, nom_url=nom_url, chemin=request.path)
    return {
        "principal": [e for e in liste if e.groupe == PRINCIPAL],
        "plus": [e for e in liste if e.groupe == PLUS],
        "compte": [e for e in liste if e.groupe == COMPTE],
        "plus_actif": any(e.actif for e in liste if e.groupe == PLUS),
    }
