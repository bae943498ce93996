"""The schéma as files: a designed PDF (WeasyPrint, from templates) and an XLSX workbook (one sheet per table), made
as background work (`core.travaux`) and reused while the data they show do not change (`empreinte_donnees`).

Two versions of the PDF: the public one (an adopted schéma, for anyone: no comment, no person's name) and the
internal one (rule `schema.voir_interne`: referents, people present at meetings, minutes, last comment of each
action). The workbook, with the comments, is internal. The key figures are those of the schéma page
(`selectors_schema.chiffres_diagnostic`): frozen at adoption (`Schema.diagnostic_fige`) beside today's.

WeasyPrint needs the Pango libraries: the mechanism and its French message are the observatoire report's
(`observatoire.resultats.rapports`: `verifier_pdf`, `PDFIndisponible`).
"""

import datetime
import hashlib

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl.styles import Font

from maillage.comptes.models import Organisation, Utilisateur
from maillage.core.horloge import aujourdhui, maintenant
from maillage.core.tableurs import classeur_octets, nouveau_classeur
from maillage.core.travaux import ErreurTravail, executer, task
from maillage.diagnostic.selectors import version_diagnostic
from maillage.financements.models import Budget, LigneProduit
from maillage.observatoire.resultats.rapports import MESSAGE_PDF, PDFIndisponible, pdf_disponible, verifier_pdf
from maillage.structures.models import Structure

from . import progression as regle_progression
from . import selectors
from .graphiques import svg_indicateur
from .indicateurs import definition as definition_catalogue
from .models import (
    Axe,
    CommentaireAction,
    Decision,
    DirectionProgres,
    DocumentSchema,
    Enjeu,
    FicheAction,
    Indicateur,
    Instance,
    Jalon,
    Orientation,
    Reunion,
    Schema,
    TransitionSchema,
    ValeurIndicateur,
)
from .selectors_indicateurs import indicateurs_du_schema, version_donnees_schema
from .selectors_schema import CHIFFRES, chiffres_diagnostic
from .services_indicateurs import indicateurs_recalculer
from .templatetags.schema_format import chiffre as chiffre_affiche

__all__ = ["MESSAGE_PDF", "PDFIndisponible", "pdf_disponible", "verifier_pdf"]


# --- Outputs of a schéma: PDF and XLSX ---------------------------------------------------------------------------

PUBLIQUE, INTERNE = "publique", "interne"
VERSIONS = (PUBLIQUE, INTERNE)
FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _rien(fait, total, etape=""):
    pass


def nom_fichier(schema: Schema, format: str, version: str = INTERNE) -> str:
    suffixe = "" if format == "xlsx" or version == PUBLIQUE else "-interne"
    return f"schema-directeur-{schema.departement_id}-{schema.debut}-{schema.fin}{suffixe}.{format}"


def empreinte_donnees(schema: Schema, *, jour: datetime.date | None = None) -> str:
    """Changes whenever something a document of `schema` shows may have changed: audited edits of the schéma's
    models and of the organisations, accounts and budgets it names or sums, its comments, transitions and indicator
    values (computed ones are written without audit entries), the diagnostic's data version (registry, territories,
    loads), the indicators' data version and the day (late milestones, « produit le »). A generated file is reused
    while this stays the same."""
    jour = jour or aujourdhui()
    # Computed indicators first brought up to date (nothing written when they are): the key then stays the same
    # after the job, which would otherwise recompute them and change their values' dates.
    indicateurs_recalculer(schema=schema, jour=jour)
    modeles = (
        Schema, DocumentSchema, Enjeu, DirectionProgres, Axe, Orientation, FicheAction, Jalon, Indicateur,
        ValeurIndicateur, Instance, Reunion, Decision, Organisation, Utilisateur, Budget, LigneProduit,
    )  # fmt: skip
    types = ContentType.objects.get_for_models(*modeles).values()
    journal = LogEntry.objects.filter(content_type__in=types).aggregate(m=Max("id"))["m"] or 0
    commentaires = CommentaireAction.objects.filter(fiche__schema=schema).aggregate(n=Count("id"), m=Max("id"))
    transitions = TransitionSchema.objects.filter(schema=schema).aggregate(n=Count("id"), m=Max("id"))
    valeurs = ValeurIndicateur.objects.filter(indicateur__schema=schema).aggregate(n=Count("id"), m=Max("le"))
    versions = Indicateur.objects.filter(schema=schema).order_by("pk").values_list("version_donnees", flat=True)
    parties = [
        schema.pk,
        schema.version,
        jour.isoformat(),
        journal,
        commentaires["n"],
        commentaires["m"] or 0,
        transitions["n"],
        transitions["m"] or 0,
        valeurs["n"],
        valeurs["m"].isoformat() if valeurs["m"] else "",
        ",".join(versions),
        version_diagnostic(),
        version_donnees_schema(schema.departement_id),
    ]
    return hashlib.sha256("|".join(map(str, parties)).encode()).hexdigest()[:32]


# --- What the documents show ---------------------------------------------------------------------------------


def _date_iso(texte) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(texte))
    except ValueError:
        return None


def tableau_chiffres(schema: Schema, *, jour: datetime.date) -> dict:
    """The key figures frozen at adoption (when the schéma has them) beside today's, as display rows."""
    fige = schema.diagnostic_fige if isinstance(schema.diagnostic_fige, dict) else {}
    chiffres_figes = fige.get("chiffres") if isinstance(fige.get("chiffres"), dict) else {}
    actuels = chiffres_diagnostic(schema.departement_id, jour)
    lignes = [
        {
            "libelle": libelle,
            "sous_total": libelle.startswith("dont "),
            "fige": chiffre_affiche(chiffres_figes.get(code), format_) if chiffres_figes else None,
            "actuel": chiffre_affiche(actuels["chiffres"].get(code), format_),
        }
        for code, libelle, format_ in CHIFFRES
    ]
    return {
        "lignes": lignes,
        "fige_date": _date_iso(fige.get("date")),
        "fige_le": _date_iso(fige.get("fige_le")) or schema.date_adoption,
        "fige_annee_budgets": fige.get("annee_budgets"),
        "a_des_chiffres_figes": bool(chiffres_figes),
        "actuel_date": jour,
        "actuel_annee_budgets": actuels["annee_budgets"],
    }


def _gouvernance(schema: Schema, *, interne: bool) -> list[Instance]:
    reunions = Reunion.objects.order_by("-date").prefetch_related(
        Prefetch("organisations_presentes", queryset=Organisation.objects.order_by("nom")),
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("responsable")
            .prefetch_related(Prefetch("fiches", queryset=FicheAction.objects.order_by("numero")))
            .order_by("pk"),
        ),
    )
    if interne:
        reunions = reunions.prefetch_related(
            Prefetch("presents", queryset=Utilisateur.objects.order_by("last_name", "first_name"))
        )
    instances = Instance.objects.filter(schema=schema).prefetch_related(
        Prefetch("organisations", queryset=Organisation.objects.order_by("nom")),
        Prefetch("reunions", queryset=reunions),
    )
    if interne:
        instances = instances.prefetch_related(
            Prefetch("membres", queryset=Utilisateur.objects.order_by("last_name", "first_name"))
        )
    return list(instances.order_by("type", "nom"))


def contexte_document(schema: Schema, *, interne: bool, jour: datetime.date | None = None) -> dict:
    """Everything the PDF shows, in a number of queries independent of the number of actions."""
    jour = jour or aujourdhui()
    arbre = selectors.arbre(schema, jour=jour)
    derniers_commentaires = {}
    if interne:
        for commentaire in CommentaireAction.objects.filter(fiche__schema=schema).order_by("fiche_id", "-le", "-pk"):
            derniers_commentaires.setdefault(commentaire.fiche_id, commentaire)
        referents = {}
        for fiche_id, utilisateur in FicheAction.referents.through.objects.filter(
            ficheaction__schema=schema
        ).values_list("ficheaction_id", "utilisateur_id"):
            referents.setdefault(fiche_id, []).append(utilisateur)
        noms = {u.pk: u for u in Utilisateur.objects.filter(pk__in={u for us in referents.values() for u in us})}
        for noeud in arbre.fiches:
            noeud.fiche.liste_referents = [noms[pk] for pk in referents.get(noeud.fiche.pk, []) if pk in noms]
            noeud.fiche.dernier_commentaire = derniers_commentaires.get(noeud.fiche.pk)
    statuts = arbre.par_statut()
    indicateurs = indicateurs_du_schema(schema)
    for ligne in indicateurs:
        ligne.graphique = svg_indicateur(ligne, identifiant=f"graphique-{ligne.indicateur.pk}")
    return {
        "schema": schema,
        "interne": interne,
        "jour": jour,
        "produit_le": maintenant(),
        "signataires": list(schema.signataires.order_by("nom")),
        "transitions": list(schema.transitions.order_by("date", "pk")),
        "chiffres": tableau_chiffres(schema, jour=jour),
        "enjeux": list(schema.enjeux.order_by("numero")),
        "directions": list(schema.directions.order_by("numero")),
        "arbre": arbre,
        "regle": regle_progression.REGLE,
        "statuts": [(libelle, statuts[code]) for code, libelle in FicheAction.Statut.choices],
        "nombre_fiches": len(arbre.fiches),
        "fictives": any(n.fiche.fictive for n in arbre.fiches),
        "indicateurs": indicateurs,
        "instances": _gouvernance(schema, interne=interne),
        # Progress bars' classes (no inline style): p0…p100 and the width of their filled part in a 22 mm bar.
        "largeurs": [(p, f"{22 * p / 100:.2f}") for p in range(101)],
    }


# --- PDF ---------------------------------------------------------------------------------------------------


def _weasyprint():
    try:
        import weasyprint
    except (OSError, ImportError) as e:
        raise PDFIndisponible(MESSAGE_PDF) from e
    return weasyprint


def html_pdf(schema: Schema, *, interne: bool, jour: datetime.date | None = None) -> str:
    """The HTML the PDF is composed from (also what tests read)."""
    return render_to_string("schema/pdf/schema.html", contexte_document(schema, interne=interne, jour=jour))


def schema_pdf(schema: Schema, *, interne: bool, progression=_rien) -> bytes:
    """`progression(fait, total, etape)` follows the four steps (the background job shows it)."""
    weasyprint = _weasyprint()
    progression(0, 4, "Lecture du schéma, des indicateurs et de la gouvernance")
    html = html_pdf(schema, interne=interne)
    progression(1, 4, "Composition des pages")
    document = weasyprint.HTML(string=html).render()
    progression(2, 4, f"Écriture du PDF ({len(document.pages)} pages)")
    contenu = document.write_pdf()
    progression(4, 4, "PDF prêt")
    return contenu


# --- XLSX --------------------------------------------------------------------------------------------------

FORMAT_DATE = "DD/MM/YYYY"


def _definition_lisible(code: str) -> str:
    """The catalogue's label of a computed indicator (people read "Structures actives", not its code)."""
    trouvee = definition_catalogue(code)
    return trouvee.libelle if trouvee else (code or "")


def _feuille(classeur, titre: str, entetes: list[str], lignes, *, premiere: bool = False):
    feuille = classeur.active if premiere else classeur.create_sheet(titre)
    feuille.title = titre
    feuille.append(entetes)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for ligne in lignes:
        feuille.append(list(ligne))
    for rangee in feuille.iter_rows(min_row=2):
        for cellule in rangee:
            if isinstance(cellule.value, datetime.datetime):
                cellule.number_format = FORMAT_DATE + " HH:MM"
            elif isinstance(cellule.value, datetime.date):
                cellule.number_format = FORMAT_DATE
    feuille.freeze_panes = "A2"
    return feuille


def _noms(objets) -> str:
    return ", ".join(str(getattr(o, "nom", None) or o) for o in objets)


def _personne(utilisateur) -> str:
    if utilisateur is None:
        return ""
    return utilisateur.get_full_name() or utilisateur.email


def _oui(valeur: bool) -> str:
    return "oui" if valeur else "non"


def _nombre(valeur):
    """A Decimal as a spreadsheet number (an int when whole)."""
    if valeur is None:
        return None
    return int(valeur) if valeur == int(valeur) else float(valeur)


def schema_xlsx(schema: Schema, *, progression=_rien) -> bytes:
    """One sheet per table, French headers, every text cell made formula-safe by `core.tableurs`."""
    jour = aujourdhui()
    total = 6
    progression(0, total, "Schéma, enjeux et axes")
    classeur = nouveau_classeur()
    arbre = selectors.arbre(schema, jour=jour)
    signataires = list(schema.signataires.order_by("nom"))
    _feuille(
        classeur,
        "Schéma",
        ["Champ", "Valeur"],
        [
            ("Titre", schema.titre),
            ("Département", f"{schema.departement.nom} ({schema.departement_id})"),
            ("Période", schema.periode),
            ("Statut", schema.get_statut_display()),
            ("Date d'adoption", schema.date_adoption),
            ("Signataires", _noms(signataires)),
            ("Élaboration accompagnée par", schema.realise_par),
            ("Avancement (%)", arbre.avancement),
            ("Règle de l'avancement", regle_progression.REGLE),
            ("Présentation", schema.presentation),
            ("Synthèse du diagnostic", schema.resume_diagnostic),
            ("Document produit le", jour),
        ],
        premiere=True,
    )
    _feuille(
        classeur,
        "Enjeux",
        ["Numéro", "Enjeu", "Texte"],
        ((e.numero, e.titre, e.texte) for e in schema.enjeux.order_by("numero")),
    )
    _feuille(
        classeur,
        "Directions de progrès",
        ["Numéro", "Direction de progrès", "Texte"],
        ((e.numero, e.titre, e.texte) for e in schema.directions.order_by("numero")),
    )
    _feuille(
        classeur,
        "Axes",
        ["Numéro", "Axe", "Texte", "Avancement (%)", "Fiches actions"],
        ((n.axe.numero, n.axe.titre, n.axe.texte, n.avancement, len(n.fiches)) for n in arbre.axes),
    )
    _feuille(
        classeur,
        "Orientations",
        ["Code", "Axe", "Orientation", "Texte", "Avancement (%)", "Fiches actions"],
        (
            (o.orientation.code, a.axe.numero, o.orientation.titre, o.orientation.texte, o.avancement, len(o.fiches))
            for a in arbre.axes
            for o in a.orientations
        ),
    )
    progression(1, total, "Fiches actions")
    fiches = {
        f.pk: f
        for f in FicheAction.objects.filter(schema=schema).prefetch_related(
            Prefetch("partenaires", queryset=Organisation.objects.order_by("nom")),
            Prefetch("referents", queryset=Utilisateur.objects.order_by("last_name", "first_name")),
            "communes",
            "epci",
            "regroupements",
            "qpv",
            Prefetch("structures", queryset=Structure.objects.order_by("nom")),
        )
    }
    lignes = []
    for noeud in arbre.fiches:
        fiche, complete = noeud.fiche, fiches[noeud.fiche.pk]
        lignes.append(
            (
                fiche.numero,
                fiche.titre,
                fiche.orientation.axe.numero,
                fiche.orientation.code,
                fiche.pilote.nom if fiche.pilote else "",
                _noms(complete.partenaires.all()),
                ", ".join(_personne(u) for u in complete.referents.all()),
                fiche.get_statut_display(),
                fiche.avancement,
                fiche.poids,
                fiche.debut,
                fiche.fin,
                _nombre(fiche.budget),
                fiche.objectifs,
                fiche.publics,
                _noms(complete.communes.all()),
                _noms(complete.epci.all()),
                _noms(complete.regroupements.all()),
                _noms(complete.qpv.all()),
                _noms(complete.structures.all()),
                len(noeud.jalons_en_retard),
                _oui(fiche.fictive),
                fiche.version,
            )
        )
    _feuille(
        classeur,
        "Fiches actions",
        [
            "Numéro",
            "Titre",
            "Axe",
            "Orientation",
            "Pilote",
            "Partenaires",
            "Référents",
            "Statut",
            "Avancement (%)",
            "Poids",
            "Début",
            "Fin",
            "Budget prévu (€)",
            "Objectifs",
            "Publics visés",
            "Communes",
            "EPCI",
            "EPT et regroupements",
            "QPV",
            "Structures concernées",
            "Jalons en retard",
            "Fiche fictive (démonstration)",
            "Version",
        ],  # fmt: skip
        lignes,
    )
    progression(2, total, "Jalons")
    _feuille(
        classeur,
        "Jalons",
        ["Fiche action", "Jalon", "Échéance", "Fait", "Fait le", "En retard"],
        (
            (n.fiche.numero, j.libelle, j.echeance, _oui(j.fait), j.fait_le, _oui(j.en_retard(jour)))
            for n in arbre.fiches
            for j in n.fiche.jalons.all()
        ),
    )
    progression(3, total, "Indicateurs et valeurs")
    indicateurs = indicateurs_du_schema(schema)
    _feuille(
        classeur,
        "Indicateurs",
        [
            "Code",
            "Libellé",
            "Unité",
            "Sens",
            "Source",
            "Définition (catalogue)",
            "Paramètres",
            "Rattachement",
            "Valeur de référence",
            "Date de référence",
            "Cible",
            "Date de la cible",
            "Dernière valeur",
            "Date de la dernière valeur",
            "En bonne voie",
        ],  # fmt: skip
        (
            (
                ligne.code,
                ligne.libelle,
                ligne.unite,
                ligne.indicateur.get_sens_display(),
                ligne.indicateur.get_source_display(),
                _definition_lisible(ligne.indicateur.definition),
                ", ".join(f"{k} = {v}" for k, v in (ligne.indicateur.parametres or {}).items()),
                ligne.rattachement,
                _nombre(ligne.reference.valeur) if ligne.reference else None,
                ligne.reference.date if ligne.reference else ligne.indicateur.reference_date,
                _nombre(ligne.cible.valeur) if ligne.cible else None,
                ligne.cible.date if ligne.cible else None,
                _nombre(ligne.derniere.valeur) if ligne.derniere else None,
                ligne.derniere.date if ligne.derniere else None,
                "" if ligne.en_bonne_voie is None else _oui(ligne.en_bonne_voie),
            )
            for ligne in indicateurs
        ),
    )
    _feuille(
        classeur,
        "Valeurs",
        ["Indicateur", "Date", "Valeur", "Source", "Auteur", "Commentaire", "Méthode de calcul", "Figée"],
        (
            (
                ligne.code,
                v.date,
                _nombre(v.valeur),
                v.get_source_display(),
                _personne(v.auteur),
                v.commentaire,
                v.methode,
                _oui(v.figee),
            )
            for ligne in indicateurs
            for v in ligne.indicateur.valeurs.all()
        ),
    )
    progression(4, total, "Décisions")
    decisions = (
        Decision.objects.filter(reunion__instance__schema=schema)
        .select_related("reunion__instance", "responsable")
        .prefetch_related(Prefetch("fiches", queryset=FicheAction.objects.order_by("numero")))
        .order_by("reunion__date", "pk")
    )
    _feuille(
        classeur,
        "Décisions",
        ["Instance", "Réunion du", "Décision", "Fiches actions", "Responsable", "Échéance", "Statut"],
        (
            (
                d.reunion.instance.nom,
                timezone.localtime(d.reunion.date).date(),
                d.texte,
                ", ".join(f.numero for f in d.fiches.all()),
                d.responsable.nom if d.responsable else "",
                d.echeance,
                d.get_statut_display(),
            )
            for d in decisions
        ),
    )
    progression(5, total, "Commentaires")
    _feuille(
        classeur,
        "Commentaires",
        ["Fiche action", "Le", "Auteur", "Commentaire", "Statut", "Avancement (%)"],
        (
            (
                c.fiche.numero,
                timezone.localtime(c.le).replace(tzinfo=None),
                c.auteur_libelle,
                c.texte,
                c.get_statut_display() if c.statut else "",
                c.avancement,
            )
            for c in CommentaireAction.objects.filter(fiche__schema=schema)
            .select_related("fiche")
            .order_by("fiche__numero", "le", "pk")
        ),
    )
    contenu = classeur_octets(classeur)
    progression(total, total, "Classeur prêt")
    return contenu


# --- Background work ---------------------------------------------------------------------------------------


@task()
def generer_sortie(*, travail_id: str, schema_id: int, format: str, version: str) -> str:
    def travail(suivi):
        schema = Schema.objects.select_related("departement").get(pk=schema_id)
        try:
            if format == "pdf":
                contenu = schema_pdf(schema, interne=version == INTERNE, progression=suivi.avancer)
            else:
                contenu = schema_xlsx(schema, progression=suivi.avancer)
        except PDFIndisponible as e:
            raise ErreurTravail(str(e)) from e
        return {
            "contenu": contenu,
            "nom_fichier": nom_fichier(schema, format, version),
            "type_contenu": FORMATS[format],
        }

    return executer(travail_id, travail)
