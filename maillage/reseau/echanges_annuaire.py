"""Import and export of the annuaire (CSV or XLSX), without writing: the write is `services_annuaire`.

Import — the whole file is read (`core.fichiers`, THE reader and its limits) and checked before anything is
written; every wrong cell is reported with its line, its column as written and a French reason. Columns (headers
compared loosely: case, accents, punctuation): Nom (required), Prénom, Fonction, Organisation, Type d'organisation,
Catégorie (required: code or French label), E-mail, Téléphone, Commune (INSEE code or name of a commune of the
département), Base légale (code or label), Date de consentement, Objet du consentement. Columns of the export that
the import does not read are ignored (listed as such).

- **Organisation**: matched by name (case, accents and spaces ignored) among the département's organisations;
  an unknown name is an error, unless the row gives a valid « Type d'organisation »: then the organisation is
  created (once per name) with that type. No silent guess.
- **Deduplication**: a row whose e-mail is an existing person's updates that person; the same e-mail twice in the
  file is an error on the second line. A row without e-mail matches the existing person of the same (nom, prénom,
  organisation); the same (nom, prénom, organisation) twice in the file is an error on the second line. A row with
  an e-mail unknown in the annuaire also takes over an existing entry of the same (nom, prénom, organisation) that
  has no e-mail yet.
- **Updates only fill or change**: an empty cell (or a missing column) keeps the existing value, so re-importing
  a file, or the export, changes nothing.
- A value starting with `=` (a spreadsheet formula) is refused.

Export — `lignes_export(personnes)` with the French column labels above, written by `core.tableurs` only.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from maillage.comptes.models import Organisation
from maillage.core import horloge
from maillage.core.fichiers import FichierIllisible, cle, lire_tableau, texte
from maillage.core.formats import nombre
from maillage.core.imports import ErreurLigne, message_refus
from maillage.core.tableurs import classeur_octets, ecrire_csv, nouveau_classeur
from maillage.territoires.models import Commune
from maillage.territoires.services import import_refuser

from .models import BaseLegale, Categorie, Personne

TAILLE_MAX_IMPORT = 5 * 1024 * 1024
LIGNES_MAX_IMPORT = 20_000
COMMANDE = "importer_annuaire"

# Column code → accepted headers (as `cle()` gives them). The first is the export's label.
COLONNES = {
    "nom": ("Nom", "nom", "nom_de_famille"),
    "prenom": ("Prénom", "prenom"),
    "fonction": ("Fonction", "fonction", "poste"),
    "organisation": ("Organisation", "organisation", "organisme"),
    "type_organisation": ("Type d'organisation", "type_d_organisation", "type_organisation", "type_d_organisme"),
    "categorie": ("Catégorie", "categorie"),
    "email": ("E-mail", "e_mail", "email", "courriel", "adresse_e_mail", "adresse_email"),
    "telephone": ("Téléphone", "telephone", "tel"),
    "commune": ("Commune", "commune", "code_insee", "code_commune", "commune_code_insee"),
    "base_legale": ("Base légale", "base_legale"),
    "consentement_le": ("Date de consentement", "date_de_consentement", "date_du_consentement", "consentement_le"),
    "consentement_objet": ("Objet du consentement", "objet_du_consentement", "objet_consentement"),
}
# Export-only columns, ignored at import.
EXPORT_SEULEMENT = ("Nom de la commune", "Opposé·e aux envois depuis", "Origine", "Fiche n°")
_CODES = {cle(alias): code for code, alias_ in COLONNES.items() for alias in alias_}
_IGNOREES = {cle(titre) for titre in EXPORT_SEULEMENT}
LONGUEURS = {"nom": 150, "prenom": 150, "fonction": 200, "telephone": 30, "organisation": 200,
             "consentement_objet": 250}  # fmt: skip
CHAMPS = ("nom", "prenom", "fonction", "organisation_id", "categorie", "email", "telephone", "commune_id",
          "base_legale", "consentement_le", "consentement_objet")  # fmt: skip
LIBELLES = {"nom": "Nom", "prenom": "Prénom", "fonction": "Fonction", "organisation_id": "Organisation",
            "categorie": "Catégorie", "email": "E-mail", "telephone": "Téléphone", "commune_id": "Commune",
            "base_legale": "Base légale", "consentement_le": "Date de consentement",
            "consentement_objet": "Objet du consentement"}  # fmt: skip
_FORMATS_DATE = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%Y")


def _code_colonne(titre: str) -> str | None:
    if cle(titre) in _IGNOREES:
        return f"_ignoree_{cle(titre)}"  # read, never used: not listed as unknown
    return _CODES.get(cle(titre))


def _choix(choices) -> dict[str, str]:
    """Codes and French labels, compared loosely → code."""
    return {**{cle(libelle): code for code, libelle in choices}, **{cle(code): code for code, _ in choices}}


CATEGORIES = _choix(Categorie.choices)
BASES = _choix(BaseLegale.choices)
TYPES_ORGANISATION = _choix(Organisation.Type.choices)


def cle_nom(valeur: str) -> str:
    return cle(" ".join((valeur or "").split()))


def _date(valeur) -> datetime.date | None:
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    for format_ in _FORMATS_DATE:
        try:
            return datetime.datetime.strptime(texte(valeur), format_).date()
        except ValueError:
            pass
    return None


def _instant(jour: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time(0)))


def _meme_jour(instant, jour) -> bool:
    return instant is not None and jour is not None and timezone.localtime(instant).date() == jour


@dataclass
class _Contexte:
    departement: object
    organisations: dict  # cle_nom → Organisation (the oldest of a name)
    communes_code: dict  # code → (code, departement)
    communes_nom: dict  # cle_nom → [codes] in the département
    par_email: dict  # email → Personne
    par_cle: dict  # (nom, prénom, organisation id) → [Personne]


def _contexte(departement, lignes: list) -> _Contexte:
    organisations = {}
    for organisation in Organisation.objects.filter(departement=departement).order_by("pk").only("pk", "nom"):
        organisations.setdefault(cle_nom(organisation.nom), organisation)
    codes = {texte(v.get("commune")) for _, v in lignes if re.fullmatch(r"\d[0-9AB]\d{3}", texte(v.get("commune")))}
    communes_code = dict(Commune.objects.filter(code__in=codes).values_list("code", "departement_id"))
    communes_nom: dict[str, list[str]] = {}
    for code, nom in Commune.objects.filter(departement=departement).values_list("code", "nom"):
        communes_nom.setdefault(cle_nom(nom), []).append(code)
    par_email, par_cle = {}, {}
    for personne in Personne.objects.filter(departement=departement):
        if personne.email:
            par_email[personne.email] = personne
        par_cle.setdefault((cle_nom(personne.nom), cle_nom(personne.prenom), personne.organisation_id), []).append(
            personne
        )
    return _Contexte(departement, organisations, communes_code, communes_nom, par_email, par_cle)


def _lire(contenu: bytes):
    tableau = lire_tableau(contenu, code=_code_colonne, lignes_max=LIGNES_MAX_IMPORT)
    if tableau.ligne_entete is None:
        raise FichierIllisible("ligne d'en-têtes introuvable : il faut au moins les colonnes « Nom » et « Catégorie ».")
    entete = list(tableau.erreurs)  # columns named twice
    for code in ("nom", "categorie"):
        if code not in tableau.positions:
            entete.append(
                ErreurLigne(f"colonne « {COLONNES[code][0]} » manquante (obligatoire).", tableau.ligne_entete)
            )
    deja = len(tableau.erreurs)
    lignes = list(tableau.lignes())  # may raise FichierIllisible (a limit passed)
    return tableau, lignes, entete + tableau.erreurs[deja:]


def valider_import(
    *, contenu: bytes, nom_fichier: str, departement, journaliser_refus: bool, auteur: str = "", debut=None
) -> dict:
    """The whole file checked against the annuaire; raises ImportRefuse with every error, or returns the summary:
    {"format", "lignes", "empreinte", "compteurs", "plan": [per row], "organisations_a_creer", "ignorees"}."""
    empreinte = hashlib.sha256(contenu).hexdigest()
    refuser = partial(
        import_refuser, commande=COMMANDE, fichier=nom_fichier[:500], empreinte=empreinte,
        parametres={"departement": departement.pk}, auteur=auteur, debut=debut or timezone.now(),
        journaliser=journaliser_refus,
    )  # fmt: skip
    if len(contenu) > TAILLE_MAX_IMPORT:
        raison = f"fichier trop volumineux ({nombre(len(contenu) // 1024)} Ko, 5 Mo au plus)."
        raise refuser([ErreurLigne(raison)], f"Fichier refusé : {raison}")
    try:
        tableau, lignes, erreurs = _lire(contenu)
    except FichierIllisible as illisible:
        raise refuser([illisible.erreur], f"Fichier refusé : {illisible}") from None
    if erreurs and any(e.ligne == tableau.ligne_entete for e in erreurs):
        raise refuser(erreurs, message_refus(len(erreurs)))
    if not lignes:
        raise refuser([ErreurLigne("aucune ligne de données sous les en-têtes.")], "Fichier refusé : aucune ligne.")
    contexte = _contexte(departement, lignes)
    plan, organisations_a_creer = [], {}
    vus_email: dict[str, int] = {}
    vus_cle: dict[tuple, int] = {}
    vues_personnes: dict[int, int] = {}
    for numero, valeurs in lignes:
        etape = _ligne(numero, valeurs, tableau.colonnes, contexte, erreurs, organisations_a_creer)
        if etape is None:
            continue
        colonne_email = tableau.colonnes.get("email", "")
        email, cle_personne = etape.pop("_email"), etape.pop("_cle")
        if email and email in vus_email:
            erreurs.append(
                ErreurLigne(f"adresse e-mail déjà donnée en ligne {vus_email[email]}.", numero, colonne_email)
            )
            continue
        if not email and cle_personne in vus_cle:
            erreurs.append(
                ErreurLigne(
                    f"même nom, prénom et organisation qu'en ligne {vus_cle[cle_personne]}, sans e-mail pour les "
                    "distinguer.",
                    numero,
                    tableau.colonnes.get("nom", ""),
                )
            )
            continue
        if email:
            vus_email[email] = numero
        else:
            vus_cle[cle_personne] = numero
        if etape["id"] is not None:
            if etape["id"] in vues_personnes:
                erreurs.append(
                    ErreurLigne(
                        f"désigne la même personne que la ligne {vues_personnes[etape['id']]}.",
                        numero,
                        tableau.colonnes.get("nom", ""),
                    )
                )
                continue
            vues_personnes[etape["id"]] = numero
        plan.append(etape)
    if erreurs:
        erreurs.sort(key=lambda e: e.ligne or 0)
        raise refuser(erreurs, message_refus(len(erreurs)))
    return {
        "format": tableau.format,
        "lignes": len(lignes),
        "empreinte": empreinte,
        "compteurs": {a: sum(1 for e in plan if e["action"] == a) for a in ("creer", "modifier", "inchange")},
        "plan": plan,
        "organisations_a_creer": organisations_a_creer,
        "ignorees": tableau.inconnues,
        "applique": False,
    }


def _ligne(numero, valeurs, colonnes, contexte: _Contexte, erreurs: list, organisations_a_creer: dict):
    """One row checked: its plan step (with `_email` and `_cle` for the file-wide checks), or None when wrong."""
    avant = len(erreurs)

    def erreur(code, raison):
        erreurs.append(ErreurLigne(raison, numero, colonnes.get(code, COLONNES[code][0])))

    cellules = {code: texte(valeurs.get(code)) for code in COLONNES}
    for code, valeur in cellules.items():
        if valeur.startswith("="):
            erreur(code, "formule de tableur refusée : saisissez la valeur elle-même.")
            cellules[code] = ""
        elif code in LONGUEURS and len(valeur) > LONGUEURS[code]:
            erreur(code, f"texte trop long ({nombre(len(valeur))} caractères, {LONGUEURS[code]} au plus).")
    if not cellules["nom"]:
        erreur("nom", "le nom est obligatoire.")
    categorie = CATEGORIES.get(cle(cellules["categorie"]))
    if categorie is None:
        erreur("categorie", f"catégorie inconnue « {cellules['categorie']} » (exemples : Élu·e, Centre social, CCAS)."
               if cellules["categorie"] else "la catégorie est obligatoire.")  # fmt: skip
    email = cellules["email"].lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            erreur("email", f"adresse e-mail invalide « {cellules['email']} ».")
    organisation_id, a_creer = None, ""
    if cellules["organisation"]:
        cle_org = cle_nom(cellules["organisation"])
        trouvee = contexte.organisations.get(cle_org)
        if trouvee is not None:
            organisation_id = trouvee.pk
        elif cellules["type_organisation"]:
            type_org = TYPES_ORGANISATION.get(cle(cellules["type_organisation"]))
            if type_org is None:
                erreur("type_organisation", f"type d'organisation inconnu « {cellules['type_organisation']} ».")
            else:
                nom_org = " ".join(cellules["organisation"].split())
                organisations_a_creer.setdefault(cle_org, (nom_org, type_org))
                a_creer = cle_org
        else:
            erreur("organisation", f"organisation « {cellules['organisation']} » inconnue dans le département : "
                   "corrigez le nom, ou ajoutez une colonne « Type d'organisation » pour la créer.")  # fmt: skip
    commune_id = None
    if cellules["commune"]:
        valeur = cellules["commune"].upper()
        if re.fullmatch(r"\d[0-9AB]\d{3}", valeur):
            departement_commune = contexte.communes_code.get(valeur)
            if departement_commune is None:
                erreur("commune", f"code INSEE inconnu « {valeur} ».")
            elif departement_commune != contexte.departement.pk:
                erreur("commune", f"la commune {valeur} n'est pas dans le département {contexte.departement.pk}.")
            else:
                commune_id = valeur
        else:
            codes = contexte.communes_nom.get(cle_nom(cellules["commune"]), [])
            if len(codes) == 1:
                commune_id = codes[0]
            elif codes:
                erreur("commune", f"plusieurs communes s'appellent « {cellules['commune']} » : donnez le code INSEE.")
            else:
                erreur("commune", f"commune « {cellules['commune']} » inconnue dans le département.")
    base = None
    if cellules["base_legale"]:
        base = BASES.get(cle(cellules["base_legale"]))
        if base is None:
            erreur("base_legale", f"base légale inconnue « {cellules['base_legale']} » (mission d'intérêt public, "
                   "consentement ou intérêt légitime).")  # fmt: skip
    jour = None
    brut = valeurs.get("consentement_le")
    if texte(brut):
        jour = _date(brut)
        if jour is None:
            erreur("consentement_le", f"date illisible « {texte(brut)} » (attendu : JJ/MM/AAAA).")
        elif jour > horloge.aujourdhui():
            erreur("consentement_le", "la date de consentement est dans le futur.")
    if len(erreurs) > avant:
        return None

    # The existing person: by e-mail, else by (nom, prénom, organisation).
    cle_personne = (cle_nom(cellules["nom"]), cle_nom(cellules["prenom"]), organisation_id or a_creer or None)
    existante = contexte.par_email.get(email) if email else None
    if existante is None and not a_creer:
        homonymes = contexte.par_cle.get(cle_personne, [])
        candidates = homonymes if not email else [p for p in homonymes if not p.email]
        if len(candidates) > 1:
            erreur("nom", f"{len(candidates)} personnes de ce nom dans cette organisation : donnez leur e-mail.")
            return None
        existante = candidates[0] if candidates else None
    base_finale = base or (existante.base_legale if existante else BaseLegale.MISSION_PUBLIQUE)
    consentement = existante.consentement_le if existante else None
    if base_finale == BaseLegale.CONSENTEMENT and jour is None and consentement is None:
        erreur("consentement_le", "date de consentement obligatoire quand la base légale est le consentement.")
        return None
    voulues = {
        "nom": cellules["nom"], "prenom": cellules["prenom"], "fonction": cellules["fonction"],
        "organisation_id": organisation_id, "categorie": categorie, "email": email,
        "telephone": cellules["telephone"], "commune_id": commune_id, "base_legale": base,
        "consentement_le": _instant(jour) if jour else None, "consentement_objet": cellules["consentement_objet"],
    }  # fmt: skip
    etape = {"ligne": numero, "nom": f"{cellules['prenom']} {cellules['nom']}".strip(), "_email": email,
             "_cle": cle_personne, "organisation_a_creer": a_creer}  # fmt: skip
    if existante is None:
        voulues["base_legale"] = base_finale
        return {**etape, "action": "creer", "id": None, "champs": [], "libelles": [], "valeurs": voulues}
    # An empty cell keeps the existing value; a date keeps its time of day when it is the same day.
    champs = []
    for champ, valeur in voulues.items():
        if valeur in (None, "") or (champ == "organisation_id" and a_creer):
            continue
        if champ == "consentement_le" and _meme_jour(existante.consentement_le, jour):
            continue
        if getattr(existante, champ) != valeur:
            champs.append(champ)
    if a_creer:
        champs.append("organisation_id")
    valeurs_modifiees = {champ: voulues[champ] for champ in champs}
    return {
        **etape,
        "action": "modifier" if champs else "inchange",
        "id": existante.pk,
        "champs": champs,
        "libelles": [LIBELLES[c] for c in champs],
        "valeurs": valeurs_modifiees,
    }


# --- Export -----------------------------------------------------------------------------------------------------

ENTETES_EXPORT = [
    "Fiche n°", "Nom", "Prénom", "Fonction", "Organisation", "Type d'organisation", "Catégorie", "E-mail",
    "Téléphone", "Commune", "Nom de la commune", "Base légale", "Date de consentement", "Objet du consentement",
    "Opposé·e aux envois depuis", "Origine",
]  # fmt: skip


def _jour(instant):
    return timezone.localtime(instant).date() if instant else None


def lignes_export(personnes) -> list[list]:
    """One row per person (`personnes` with organisation and commune selected)."""
    return [
        [
            p.pk,
            p.nom,
            p.prenom,
            p.fonction,
            p.organisation.nom if p.organisation else "",
            p.organisation.get_type_display() if p.organisation else "",
            p.get_categorie_display(),
            p.email,
            p.telephone,
            p.commune_id or "",
            p.commune.nom if p.commune else "",
            p.get_base_legale_display(),
            _jour(p.consentement_le),
            p.consentement_objet,
            _jour(p.opposition_le),
            p.get_origine_display(),
        ]  # fmt: skip
        for p in personnes
    ]


ENTETES_LISTE = ["Nom", "Prénom", "Organisation", "E-mail"]


def lignes_liste(personnes) -> list[list]:
    return [[p.nom, p.prenom, p.organisation.nom if p.organisation else "", p.email] for p in personnes]


def fichier(format_: str, entetes: list, lignes: list, *, feuille: str = "Annuaire") -> tuple[bytes, str]:
    """(content, content type) of a CSV or XLSX file, written by core.tableurs (formula-injection safe)."""
    if format_ == "xlsx":
        classeur = nouveau_classeur()
        onglet = classeur.active
        onglet.title = feuille[:31]
        onglet.append(entetes)
        for ligne in lignes:
            onglet.append(ligne)
        return (
            classeur_octets(classeur),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return ecrire_csv(entetes, lignes).encode("utf-8"), "text/csv; charset=utf-8"
