"""Bulk update of a schéma's fiches actions: export to CSV/XLSX, import back with a preview of every change.

The file has one row per fiche action (`COLONNES`). Import reads only: Identifiant and/or Numéro (which fiche),
Statut, Avancement (%), Jalons, Commentaire and Version; the other columns help the reader and are ignored. A
missing column or an empty cell leaves the field as it is. The Jalons cell lists one milestone per line,
`J<id> : fait` or `J<id> : à faire` (what follows, « — libellé (échéance …) », is ignored); a milestone not listed
is left as it is (milestones are created on the fiche's page).

`analyser` reads and checks the whole file and returns the preview (each fiche, field, before → after); it raises
`ImportRefuse` with every error (line, column, reason in French) when anything is wrong, so that nothing is
written. A row changing a fiche whose version moved since the export is a conflict; a row changing a fiche its
author may not update (rule `fiche_action.mettre_a_jour`) is refused; a row that changes nothing is ignored, even
stale. `importer` analyses again and applies the preview in one transaction through `services.fiche_mettre_a_jour`
(audited, comments kept), only if the changes are still those the user confirmed (`empreinte_plan`).
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch

from maillage.core.fichiers import FichierIllisible, cle, lire_tableau, texte
from maillage.core.formats import nombre
from maillage.core.imports import ErreurLigne, ImportRefuse, message_refus
from maillage.core.permissions import peut
from maillage.core.tableurs import classeur_octets, ecrire_csv, nouveau_classeur
from maillage.core.versions import ConflitVersion, changements_depuis

from . import selectors, services
from .models import FicheAction, Jalon, Schema

Statut = FicheAction.Statut

TAILLE_MAX = 5 * 1024 * 1024  # a schéma has a few hundred fiches: a few hundred Ko
LIGNES_MAX = 5_000
FEUILLE = "Fiches actions"
FORMATS = ("csv", "xlsx")
TYPES_CONTENU = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Colonne:
    code: str
    libelle: str
    lue: bool  # read back by the import
    aide: str


COLONNES = (
    Colonne(
        "numero", "Numéro", True, "Le numéro de la fiche : avec l'identifiant, il désigne la fiche à mettre à jour."
    ),
    Colonne("titre", "Titre", False, "Pour vous repérer ; non lu à l'import."),
    Colonne("axe", "Axe", False, "Pour vous repérer ; non lu à l'import."),
    Colonne("orientation", "Orientation", False, "Pour vous repérer ; non lu à l'import."),
    Colonne("pilote", "Pilote", False, "Organisation pilote, pour vous repérer ; non lu à l'import."),
    Colonne("statut", "Statut", True, "À lancer, En cours, Réalisée, Reportée ou Abandonnée."),
    Colonne(
        "avancement",
        "Avancement (%)",
        True,
        "Un nombre de 0 à 100 (arrondi à l'unité). Une action réalisée est à 100 % : passer le statut à "
        "« Réalisée » sans toucher l'avancement le met à 100.",
    ),
    Colonne(
        "jalons",
        "Jalons",
        True,
        "Un jalon par ligne de la cellule (ou séparés par « | ») : « J12 : fait » ou « J12 : à faire » ; la suite "
        "(« — libellé (échéance) ») n'est pas lue. Un jalon absent de la cellule ne change pas.",
    ),
    Colonne("commentaire", "Commentaire", True, "Vide à l'export ; un texte écrit ici est ajouté à l'historique."),
    Colonne(
        "version",
        "Version",
        True,
        "Ne pas modifier : la version de la fiche au moment de l'export. Si la fiche a changé depuis, la ligne "
        "qui la modifie est refusée (exportez à nouveau).",
    ),
    Colonne("id", "Identifiant", True, "Ne pas modifier : l'identifiant de la fiche dans Maillage."),
)
CODES = {c.code for c in COLONNES}
LIBELLES = {c.code: c.libelle for c in COLONNES}
# Headers compared loosely (case, accents, punctuation): "Avancement (%)" → "avancement".
ALIAS = {
    "identifiant": "id",
    "n": "numero",
    "no": "numero",
    "num": "numero",
    "identifiant_maillage": "id",
    "etat": "statut",
}

FAIT, A_FAIRE = "fait", "à faire"
# The state opens what follows the colon; the rest (label, due date) is not read. Longest first: « non fait ».
ETATS_JALON = {"non_fait": False, "pas_fait": False, "a_faire": False, "fait": True, "oui": True, "non": False}
MOTIF_JALON = re.compile(r"\s*J\s*(\d{1,12})\s*:(.*)", re.IGNORECASE)
# Entries are split at line breaks, and at « | » when a milestone follows (a label may hold a « | »).
SEPARATION_JALONS = re.compile(r"\n|\|(?=\s*J\s*\d)", re.IGNORECASE)
MOTIF_ENTIER = re.compile(r"\d{1,12}")


# --- Export ------------------------------------------------------------------------------------------------


def _statuts() -> str:
    return ", ".join(Statut.labels)


def ligne_jalon(jalon: Jalon) -> str:
    etat = FAIT if jalon.fait else A_FAIRE
    return f"J{jalon.pk} : {etat} — {jalon.libelle} (échéance {jalon.echeance:%d/%m/%Y})"


def lignes_export(schema: Schema, *, separateur_jalons: str = "\n") -> list[list]:
    """One row per fiche action, in the schéma's order (axes, orientations, numbers), values in `COLONNES` order.

    The queries of `selectors.arbre`, whatever the number of fiches."""
    lignes = []
    for noeud in selectors.arbre(schema).fiches:
        fiche = noeud.fiche
        orientation = fiche.orientation
        valeurs = {
            "numero": fiche.numero,
            "titre": fiche.titre,
            "axe": f"{orientation.axe.numero}. {orientation.axe.titre}",
            "orientation": f"{orientation.code}. {orientation.titre}",
            "pilote": fiche.pilote.nom if fiche.pilote else "",
            "statut": fiche.get_statut_display(),
            "avancement": fiche.avancement,
            "jalons": separateur_jalons.join(ligne_jalon(j) for j in fiche.jalons.all()),
            "commentaire": "",
            "version": fiche.version,
            "id": fiche.pk,
        }
        lignes.append([valeurs[c.code] for c in COLONNES])
    return lignes


def nom_export(schema: Schema, format: str) -> str:
    return f"fiches-actions-schema-{schema.pk}-{schema.departement_id}.{format}"


def exporter(schema: Schema, format: str) -> bytes:
    """The fiches actions of `schema` as CSV (`;`, UTF-8 with BOM) or XLSX, formula-safe (`core.tableurs`)."""
    if format not in FORMATS:
        raise ValueError(f"Format inconnu : {format}")
    entetes = [c.libelle for c in COLONNES]
    if format == "csv":
        # One line per fiche: the line numbers of refusals are the rows a spreadsheet shows.
        return ecrire_csv(entetes, lignes_export(schema, separateur_jalons=" | ")).encode("utf-8")
    lignes = lignes_export(schema)
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    classeur = nouveau_classeur()
    feuille = classeur.active
    feuille.title = FEUILLE
    feuille.append(entetes)
    for ligne in lignes:
        feuille.append(ligne)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    feuille.freeze_panes = "B2"
    largeurs = {"numero": 10, "titre": 40, "axe": 25, "orientation": 30, "pilote": 25, "statut": 14}
    largeurs |= {"avancement": 14, "jalons": 60, "commentaire": 40, "version": 9, "id": 11}
    for rang, colonne in enumerate(COLONNES):
        lettre = feuille.cell(row=1, column=rang + 1).column_letter
        feuille.column_dimensions[lettre].width = largeurs[colonne.code]
        if colonne.code in ("jalons", "titre"):
            for cellule in feuille[lettre][1:]:
                cellule.alignment = Alignment(wrap_text=True, vertical="top")
    if lignes:
        # A drop-down list of the statuses (the labels contain no comma or quote).
        lettre = feuille.cell(row=1, column=[c.code for c in COLONNES].index("statut") + 1).column_letter
        choix = DataValidation(type="list", formula1='"' + ",".join(Statut.labels) + '"', allow_blank=True)
        choix.error, choix.errorTitle = "Choisissez un statut de la liste.", "Statut"
        feuille.add_data_validation(choix)
        choix.add(f"{lettre}2:{lettre}{len(lignes) + 1}")
    mode = classeur.create_sheet("Mode d'emploi")
    mode.append(["Colonne", "Lue à l'import", "Contenu"])
    for colonne in COLONNES:
        mode.append([colonne.libelle, "Oui" if colonne.lue else "Non", colonne.aide])
    mode.column_dimensions["A"].width, mode.column_dimensions["C"].width = 16, 100
    for cellule in mode[1]:
        cellule.font = Font(bold=True)
    return classeur_octets(classeur)


# --- Import: reading and checking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Changement:
    champ: str
    avant: str
    apres: str


@dataclass
class LigneModifiee:
    """A row that changes its fiche: what to pass to the service, and the changes shown in the preview."""

    ligne: int
    fiche_id: int
    numero: str
    titre: str
    version: int
    statut: str | None
    avancement: int | None
    commentaire: str
    jalons_faits: dict[int, bool]
    changements: list[Changement]


@dataclass
class Apercu:
    format: str
    lignes: int  # data rows read
    modifiees: list[LigneModifiee] = field(default_factory=list)
    inchangees: int = 0
    colonnes_ignorees: list[str] = field(default_factory=list)
    empreinte: str = ""  # SHA-256 of the file
    empreinte_plan: str = ""  # SHA-256 of the changes: what the user confirms is what is written

    @property
    def changements(self) -> int:
        return sum(len(ligne.changements) for ligne in self.modifiees)


def _code_colonne(titre: str) -> str | None:
    code = cle(titre)
    code = ALIAS.get(code, code)
    return code if code in CODES else None


def _est_entete(titres: list[str]) -> bool:
    codes = {_code_colonne(t) for t in titres}
    return bool(codes & {"numero", "id"})


def fiches_du_schema(schema: Schema) -> list[FicheAction]:
    """Every fiche of `schema` with its milestones and referents (for the rule), in three queries."""
    fiches = list(
        FicheAction.objects.filter(schema=schema)
        .select_related("pilote")
        .prefetch_related(
            Prefetch("jalons", queryset=Jalon.objects.order_by("echeance", "pk")),
            Prefetch("referents", to_attr="liste_referents"),
        )
    )
    for fiche in fiches:
        fiche.schema = schema  # the rule reads the schéma's département: no query per fiche
        fiche.referent_ids = {u.pk for u in fiche.liste_referents}
    return fiches


def fiches_modifiables(user, schema: Schema) -> list[FicheAction]:
    """The fiches of `schema` that `user` may keep current (rule `fiche_action.mettre_a_jour`)."""
    return [f for f in fiches_du_schema(schema) if peut(user, "fiche_action.mettre_a_jour", f)]


def peut_importer(user, schema: Schema) -> bool:
    """Anyone who may update at least one fiche of the schéma may import (each row is then checked)."""
    return peut(user, "schema.voir_interne", schema) and bool(fiches_modifiables(user, schema))


def _statut(valeur: str) -> str | None:
    voulu = cle(valeur)
    for code, libelle in Statut.choices:
        if voulu in (cle(code), cle(libelle)):
            return code
    return None


def _avancement_texte(valeur) -> str:
    if isinstance(valeur, bool):
        return str(valeur)
    if isinstance(valeur, int | float):
        return repr(float(valeur))
    return texte(valeur)


def _etat_jalon(suite: str) -> bool | None:
    mots = cle(suite)
    for debut, fait in ETATS_JALON.items():
        if mots == debut or mots.startswith(debut + "_"):
            return fait
    return None


def _jalons(cellule: str, fiche: FicheAction) -> tuple[dict[int, bool], list[str]]:
    """{milestone id: done?} read from a Jalons cell, and the reasons of the lines it cannot read."""
    voulus: dict[int, bool] = {}
    raisons: list[str] = []
    connus = {j.pk for j in fiche.jalons.all()}
    for ligne in SEPARATION_JALONS.split(cellule.replace("\r\n", "\n").replace("\r", "\n")):
        if not ligne.strip():
            continue
        trouve = MOTIF_JALON.match(ligne)
        etat = _etat_jalon(trouve.group(2)) if trouve else None
        if trouve is None or etat is None:
            extrait = ligne.strip()[:60]
            raisons.append(f"jalon illisible « {extrait} » : écrivez « J<numéro> : fait » ou « J<numéro> : à faire ».")
            continue
        pk = int(trouve.group(1))
        if pk not in connus:
            raisons.append(
                f"le jalon J{pk} n'est pas un jalon de la fiche {fiche.numero} (les jalons se créent sur la page "
                "de la fiche)."
            )
        elif pk in voulus:
            raisons.append(f"le jalon J{pk} est écrit deux fois.")
        else:
            voulus[pk] = etat
    return voulus, raisons


def _lisible_statut(code: str) -> str:
    return Statut(code).label


def _conflit(fiche: FicheAction, version: int) -> str:
    """The reason of a stale row, with what changed since the export when the audit trail says it."""
    actuelle = FicheAction.objects.filter(pk=fiche.pk).values_list("version", flat=True).first()
    raison = (
        f"la fiche {fiche.numero} a été modifiée depuis votre export (version {version} dans le fichier, "
        f"{actuelle} aujourd'hui)"
    )
    changements, _ = changements_depuis(fiche, version)
    if changements:
        raison += " : " + " ; ".join(f"{c.champ} « {c.avant} » → « {c.maintenant} »" for c in changements)
    return raison + ". Exportez à nouveau puis reportez vos changements."


class _Lecture:
    """The checks of one file against one schéma for one user; errors collected, never raised one by one."""

    def __init__(self, *, par, schema: Schema, tableau):
        self.par, self.schema, self.tableau = par, schema, tableau
        self.erreurs: list[ErreurLigne] = []
        self.fiches = fiches_du_schema(schema)
        self.par_id = {f.pk: f for f in self.fiches}
        self.par_numero = {f.numero.strip().casefold(): f for f in self.fiches}
        self.vues: dict[int, int] = {}  # fiche id → line where it was met

    def colonne(self, code: str) -> str:
        return self.tableau.colonnes.get(code) or LIBELLES[code]

    def erreur(self, raison: str, ligne: int | None, code: str = "") -> None:
        self.erreurs.append(ErreurLigne(raison, ligne, self.colonne(code) if code else ""))

    def fiche(self, numero_ligne: int, cellules: dict) -> FicheAction | None:
        identifiant, numero = texte(cellules.get("id")), texte(cellules.get("numero"))
        if not identifiant and not numero:
            self.erreur("ni numéro ni identifiant : impossible de savoir quelle fiche mettre à jour.", numero_ligne)
            return None
        if identifiant:
            if not MOTIF_ENTIER.fullmatch(identifiant):
                self.erreur(f"identifiant « {identifiant[:30]} » : un nombre entier est attendu.", numero_ligne, "id")
                return None
            fiche = self.par_id.get(int(identifiant))
            if fiche is None:
                # Another schéma's fiche, or none: the same answer (nothing said of other schémas).
                self.erreur(
                    f"la fiche d'identifiant {identifiant} n'est pas une fiche de ce schéma.", numero_ligne, "id"
                )
                return None
            if numero and numero.casefold() != fiche.numero.strip().casefold():
                self.erreur(
                    f"le numéro « {numero[:30]} » ne correspond pas à la fiche d'identifiant {identifiant} "
                    f"(numéro {fiche.numero}) : une ligne décalée ?",
                    numero_ligne,
                    "numero",
                )
                return None
        else:
            fiche = self.par_numero.get(numero.casefold())
            if fiche is None:
                self.erreur(f"numéro inconnu dans ce schéma : « {numero[:30]} ».", numero_ligne, "numero")
                return None
        if fiche.pk in self.vues:
            self.erreur(
                f"la fiche {fiche.numero} est déjà sur la ligne {self.vues[fiche.pk]} : une ligne par fiche.",
                numero_ligne,
                "numero" if numero else "id",
            )
            return None
        self.vues[fiche.pk] = numero_ligne
        return fiche

    def version(self, numero_ligne: int, cellules: dict) -> int | None:
        valeur = texte(cellules.get("version"))
        if not valeur:
            self.erreur("version vide : gardez la colonne de l'export telle quelle.", numero_ligne, "version")
            return None
        if not MOTIF_ENTIER.fullmatch(valeur) or int(valeur) < 1:
            self.erreur(f"version « {valeur[:30]} » : un nombre entier est attendu.", numero_ligne, "version")
            return None
        return int(valeur)

    def ligne(self, numero_ligne: int, cellules: dict) -> LigneModifiee | None:
        """The row's changes (None when it changes nothing or is wrong: then its errors are recorded)."""
        fiche = self.fiche(numero_ligne, cellules)
        if fiche is None:
            return None
        avant = len(self.erreurs)
        statut = None
        valeur_statut = texte(cellules.get("statut"))
        if valeur_statut:
            statut = _statut(valeur_statut)
            if statut is None:
                self.erreur(f"statut inconnu « {valeur_statut[:40]} » : {_statuts()}.", numero_ligne, "statut")
        avancement = None
        valeur_avancement = _avancement_texte(cellules.get("avancement"))
        if valeur_avancement:
            avancement = valeur_avancement
        commentaire = texte(cellules.get("commentaire"))
        jalons, raisons = _jalons(texte(cellules.get("jalons")), fiche)
        for raison in raisons:
            self.erreur(raison, numero_ligne, "jalons")
        if len(self.erreurs) > avant:
            return None
        # The progress is passed only when it differs: « Réalisée » with the exported progress means 100 %.
        try:
            nouveau_statut, nouvel_avancement, texte_commentaire = services.valider_mise_a_jour(
                fiche,
                statut=statut,
                avancement=avancement if avancement is not None and _differe(avancement, fiche) else None,
                commentaire=commentaire,
            )
        except ValidationError as erreur:
            for champ, messages in erreur.message_dict.items():
                for message in messages:
                    self.erreur(message[0].lower() + message[1:], numero_ligne, champ)
            return None
        changements = []
        if nouveau_statut != fiche.statut:
            changements.append(Changement("Statut", _lisible_statut(fiche.statut), _lisible_statut(nouveau_statut)))
        if nouvel_avancement != fiche.avancement:
            changements.append(Changement("Avancement", f"{fiche.avancement} %", f"{nouvel_avancement} %"))
        jalons_changes = {}
        for jalon in fiche.jalons.all():
            if jalon.pk in jalons and jalons[jalon.pk] != jalon.fait:
                jalons_changes[jalon.pk] = jalons[jalon.pk]
                changements.append(
                    Changement(
                        f"Jalon J{jalon.pk} « {jalon.libelle} »",
                        FAIT if jalon.fait else A_FAIRE,
                        FAIT if jalons[jalon.pk] else A_FAIRE,
                    )
                )
        if texte_commentaire:
            changements.append(Changement("Commentaire ajouté", "", texte_commentaire))
        if not changements:
            return None
        if not peut(self.par, "fiche_action.mettre_a_jour", fiche):
            pilote = f" (pilotée par {fiche.pilote.nom})" if fiche.pilote else ""
            self.erreur(
                f"vous ne pouvez pas mettre à jour la fiche {fiche.numero}{pilote} : seuls son organisation pilote, "
                "ses référents et le pilote du schéma le peuvent. Retirez la ligne ou rétablissez ses valeurs.",
                numero_ligne,
                "numero" if texte(cellules.get("numero")) else "id",
            )
            return None
        version = self.version(numero_ligne, cellules)
        if version is None:
            return None
        if version < fiche.version:
            self.erreur(_conflit(fiche, version), numero_ligne, "version")
            return None
        if version > fiche.version:
            self.erreur(
                f"version {version} inconnue : la fiche {fiche.numero} est en version {fiche.version}.",
                numero_ligne,
                "version",
            )
            return None
        return LigneModifiee(
            ligne=numero_ligne,
            fiche_id=fiche.pk,
            numero=fiche.numero,
            titre=fiche.titre,
            version=version,
            statut=nouveau_statut if nouveau_statut != fiche.statut else None,
            avancement=nouvel_avancement if nouvel_avancement != fiche.avancement else None,
            commentaire=texte_commentaire,
            jalons_faits=jalons_changes,
            changements=changements,
        )


def _differe(avancement: str, fiche: FicheAction) -> bool:
    try:
        return round(float(avancement.replace(",", ".").rstrip("%").strip())) != fiche.avancement
    except ValueError:
        return True  # let the service say why it is wrong


def _refus(erreurs: list[ErreurLigne], message: str = "") -> ImportRefuse:
    erreurs = sorted(erreurs, key=lambda e: e.ligne or 0)
    return ImportRefuse(message or message_refus(len(erreurs)), erreurs=[e.en_dict() for e in erreurs])


def _empreinte_plan(modifiees: list[LigneModifiee]) -> str:
    plan = [asdict(ligne) for ligne in modifiees]
    return hashlib.sha256(json.dumps(plan, sort_keys=True, default=str).encode()).hexdigest()


def analyser(*, par, schema: Schema, contenu: bytes) -> Apercu:
    """Read and check the whole file; the preview of its changes, or ImportRefuse listing every error."""
    if len(contenu) > TAILLE_MAX:
        taille = nombre(len(contenu) / (1024 * 1024), 1)
        raison = f"fichier trop volumineux ({taille} Mo, 5 Mo au plus)."
        raise _refus([ErreurLigne(raison)], f"Fichier refusé : {raison}")
    try:
        tableau = lire_tableau(
            contenu, code=_code_colonne, est_entete=_est_entete, feuilles=(FEUILLE,), lignes_max=LIGNES_MAX
        )
        if tableau.ligne_entete is None:
            raise FichierIllisible(
                "aucune ligne d'en-têtes avec une colonne « Numéro » ou « Identifiant » : partez de l'export de "
                "cette page."
            )
        lecture = _Lecture(par=par, schema=schema, tableau=tableau)
        if "version" not in tableau.positions:
            lecture.erreur(
                "colonne « Version » absente : elle dit quelle version de chaque fiche vous avez modifiée ; partez "
                "de l'export de cette page.",
                tableau.ligne_entete,
            )
        apercu = Apercu(format=tableau.format, lignes=0, colonnes_ignorees=list(tableau.inconnues))
        for numero_ligne, cellules in tableau.lignes():
            apercu.lignes += 1
            modifiee = lecture.ligne(numero_ligne, cellules)
            if modifiee is not None:
                apercu.modifiees.append(modifiee)
    except FichierIllisible as illisible:
        raise _refus([illisible.erreur], f"Fichier refusé : {illisible}") from None
    erreurs = [*tableau.erreurs, *lecture.erreurs]
    if not apercu.lignes and not erreurs:
        erreurs.append(ErreurLigne("aucune ligne de fiche sous les en-têtes.", tableau.ligne_entete))
    if erreurs:
        raise _refus(erreurs)
    apercu.inchangees = apercu.lignes - len(apercu.modifiees)
    apercu.empreinte = hashlib.sha256(contenu).hexdigest()
    apercu.empreinte_plan = _empreinte_plan(apercu.modifiees)
    return apercu


# --- Import: writing ---------------------------------------------------------------------------------------


PLAN_CHANGE = (
    "Les fiches ont changé depuis l'aperçu : rien n'a été écrit. Déposez à nouveau le fichier pour voir les "
    "changements à jour."
)


class _Echec(Exception):
    def __init__(self, ligne: LigneModifiee, raison: str):
        self.ligne, self.raison = ligne, raison


def importer(*, par, schema: Schema, contenu: bytes, nom_fichier: str, empreinte_plan: str) -> Apercu:
    """Check the file again and write its changes in one transaction, each through `services.fiche_mettre_a_jour`
    (its rules, its audit, its comment); ImportRefuse and nothing written if anything is wrong, or if the changes
    are no longer those of the preview the user confirmed (`empreinte_plan`)."""
    apercu = analyser(par=par, schema=schema, contenu=contenu)
    if apercu.empreinte_plan != empreinte_plan:
        raise _refus([ErreurLigne(PLAN_CHANGE)], PLAN_CHANGE)
    fiches = {f.pk: f for f in fiches_du_schema(schema)}
    origine = f"Mise à jour en masse (fichier « {nom_fichier[:200]} »)."
    try:
        with transaction.atomic():
            for ligne in apercu.modifiees:
                # A status or progress change without comment says where it came from.
                commentaire = ligne.commentaire or (origine if (ligne.statut or ligne.avancement is not None) else "")
                try:
                    services.fiche_mettre_a_jour(
                        par=par,
                        fiche=fiches[ligne.fiche_id],
                        statut=ligne.statut,
                        avancement=ligne.avancement,
                        commentaire=commentaire,
                        jalons_faits=ligne.jalons_faits or None,
                        version=ligne.version,
                    )
                except ConflitVersion:
                    raise _Echec(ligne, _conflit(fiches[ligne.fiche_id], ligne.version)) from None
                except ValidationError as erreur:
                    raise _Echec(ligne, " ".join(m for ms in erreur.message_dict.values() for m in ms)) from None
                except PermissionDenied:
                    raise _Echec(ligne, f"vous ne pouvez pas mettre à jour la fiche {ligne.numero}.") from None
    except _Echec as echec:
        # Changed by someone else between the check and the write: all rolled back.
        raison = echec.raison[0].lower() + echec.raison[1:]
        raise _refus([ErreurLigne(raison, echec.ligne.ligne, LIBELLES["numero"])]) from None
    return apercu
