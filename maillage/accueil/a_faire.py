"""What each role has to do next, for its home page (reads only).

Every count calls the rule of the app that owns it (renewal board, campaign follow-up, schéma tree, visible
events…): this module adds no rule of its own, it picks, counts and links. "Today" is the one clock,
`maillage.core.horloge.aujourdhui()`. Each function runs a bounded number of queries (tests/accueil).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from maillage.comptes import selectors as comptes_selectors
from maillage.core.formats import nombre
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import codes_communes, codes_departements, est_admin, peut
from maillage.core.roles import Role
from maillage.financements.selectors import bareme_par_annee
from maillage.observatoire import calendrier
from maillage.observatoire import selectors as observatoire_selectors
from maillage.observatoire.models import Statut
from maillage.observatoire.relecture.selectors import reponses_suivies
from maillage.reseau.selectors import evenements_visibles
from maillage.reseau.selectors_inscriptions import mes_inscriptions, mes_invitations
from maillage.schema import selectors as schema_selectors
from maillage.schema import selectors_gouvernance
from maillage.structures import selectors as structures_selectors
from maillage.structures import selectors_agrements
from maillage.territoires import selectors as territoires_selectors
from maillage.territoires.models import Chargement

# "Soon": what the home announces ahead of its deadline.
JOURS_BIENTOT = 60
# Refused imports are real events (real timestamps, not the business clock): those of the last days.
JOURS_IMPORTS_REFUSES = 30
EVENEMENTS_MAX = 4
LIGNES_MAX = 6


@dataclass
class Tache:
    texte: str
    url: str = ""
    # "retard" (overdue), "bientot" (due soon), "fait" (checklist item done), "" (information)
    etat: str = ""
    date: datetime.date | None = None
    detail: str = ""  # said before the date (« Échéance le »)
    complement: str = ""  # said after it (« 24 inscrits sur 25 places »)


@dataclass
class Rubrique:
    titre: str
    taches: list[Tache] = field(default_factory=list)
    # Said when there is nothing to do, so that an empty block still tells something.
    rien: str = "Rien à faire pour l'instant."
    lien: Tache | None = None


def pluriel(n: int, singulier: str, pluriel_: str | None = None) -> str:
    return f"{nombre(n)} {singulier if n <= 1 else (pluriel_ or singulier + 's')}"


def _url(nom: str, *args, query: str = "") -> str:
    try:
        url = reverse(nom, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


# --- Pieces shared by several roles -------------------------------------------------------------------------


def _renouvellements(code: str, jour: datetime.date, *, communes: set[str] | None = None, structure_id=None):
    """Lines of the renewal board (structures app), optionally narrowed to some communes or one structure."""
    lignes = selectors_agrements.tableau_renouvellements(code, aujourd_hui=jour)
    if communes is not None:
        lignes = [ligne for ligne in lignes if ligne.agrement.structure.commune_id in communes]
    if structure_id is not None:
        lignes = [ligne for ligne in lignes if ligne.agrement.structure_id == structure_id]
    return lignes


def _tache_renouvellements(lignes, code: str, *, lien: bool) -> Tache:
    en_retard = [ligne for ligne in lignes if ligne.retards]
    texte = pluriel(len(lignes), "agrément") + " à renouveler d'ici 14 mois"
    if en_retard:
        texte += f", dont {nombre(len(en_retard))} en retard"
    prochaine = min((ligne.cle[0] for ligne in lignes), default=None)
    return Tache(
        texte,
        _url("structures:renouvellements", code) if lien else "",
        "retard" if en_retard else ("bientot" if lignes else ""),
        prochaine if prochaine and prochaine != datetime.date.max else None,
        "Prochaine étape due le" if prochaine and prochaine != datetime.date.max else "",
    )


def _campagnes_en_cours(code: str, jour: datetime.date):
    """Campaigns of the département open or in review today (observatoire's phase), newest first."""
    campagnes = list(observatoire_selectors.campagnes_du_departement(code))
    return [c for c in campagnes if calendrier.phase_pour(c, jour) in (calendrier.OUVERTE, calendrier.RELECTURE)]


def _taches_campagnes(user, code: str, jour: datetime.date, *, tout_le_departement: bool) -> list[Tache]:
    taches = []
    for campagne in _campagnes_en_cours(code, jour):
        if not peut(user, "campagne.suivre", campagne):
            continue
        url = _url("observatoire:suivi", campagne.pk)
        if tout_le_departement:
            attendues, soumises = campagne.attendues, campagne.n_soumise
            recues = attendues - campagne.n_brouillon
        else:
            # The conseiller's communes only: the follow-up board's own filter.
            statuts = list(reponses_suivies(user, campagne).values_list("statut", flat=True))
            attendues, soumises = len(statuts), statuts.count(Statut.SOUMISE)
            recues = attendues - statuts.count(Statut.BROUILLON)
        if soumises:
            taches.append(
                Tache(
                    f"Campagne {campagne.annee} : {pluriel(soumises, 'réponse soumise', 'réponses soumises')} à relire",
                    f"{url}?statut={Statut.SOUMISE}",
                    "bientot",
                    campagne.date_limite_relecture,
                    "Relecture jusqu'au",
                )
            )
        taux = f"{round(100 * recues / attendues)} %" if attendues else "—"
        taches.append(
            Tache(
                f"Campagne {campagne.annee} ({calendrier.LIBELLES_PHASES[calendrier.phase_pour(campagne, jour)]}) : "
                f"{pluriel(recues, 'réponse reçue', 'réponses reçues')} sur {nombre(attendues)} attendue"
                f"{'s' if attendues > 1 else ''} ({taux})",
                url,
                "",
                campagne.date_limite_reponse,
                "Date limite de réponse :",
            )
        )
    return taches


def _schema_courant(user, code: str):
    """The département's schéma the home follows: in force, else the one being drafted (newest first)."""
    schemas = list(schema_selectors.schemas_visibles(user, departement=code).order_by("-debut", "-pk")[:5])
    for statut in ("en_cours", "adopte", "en_elaboration", "evalue"):
        for schema in schemas:
            if schema.statut == statut:
                return schema
    return schemas[0] if schemas else None


def _fiches_a_suivre(arbre, jour: datetime.date, *, filtre=None) -> tuple[list, list]:
    """(late, due soon) fiches actions of the tree: late per the schéma's rule; soon: an open milestone or the end
    within JOURS_BIENTOT days."""
    retards = {r.fiche.pk: r for r in selectors_gouvernance.actions_en_retard(arbre)}
    limite = jour + datetime.timedelta(days=JOURS_BIENTOT)
    en_retard, bientot = [], []
    for noeud in arbre.fiches:
        fiche = noeud.fiche
        if filtre is not None and not filtre(fiche):
            continue
        if fiche.pk in retards:
            en_retard.append(fiche)
            continue
        if fiche.statut in ("realisee", "abandonnee"):
            continue
        echeances = [j.echeance for j in fiche.jalons.all() if not j.fait and jour <= j.echeance <= limite]
        if fiche.fin and jour <= fiche.fin <= limite:
            echeances.append(fiche.fin)
        if echeances:
            fiche.prochaine_echeance = min(echeances)
            bientot.append(fiche)
    return en_retard, bientot


def _rubrique_schema(user, code: str, jour: datetime.date, *, organisation_id=None) -> Rubrique | None:
    schema = _schema_courant(user, code)
    if schema is None:
        return None
    rubrique = Rubrique(
        f"Schéma directeur {schema.debut}-{schema.fin}", rien="Aucune action en retard ni due dans les deux mois."
    )
    arbre = schema_selectors.arbre(schema, jour=jour)
    if organisation_id is not None:

        def filtre(fiche):
            return fiche.pilote_id == organisation_id or user.pk in getattr(fiche, "referent_ids", ())

        mes_fiches = [n.fiche for n in arbre.fiches if filtre(n.fiche)]
    else:
        filtre = None
        mes_fiches = []
    en_retard, bientot = _fiches_a_suivre(arbre, jour, filtre=filtre)
    for fiche in en_retard[:LIGNES_MAX]:
        rubrique.taches.append(Tache(f"Action {fiche.numero} en retard : {fiche.titre}", _url("schema:fiche", fiche.pk),
                                     "retard"))  # fmt: skip
    for fiche in bientot[:LIGNES_MAX]:
        rubrique.taches.append(
            Tache(
                f"Action {fiche.numero} : {fiche.titre}",
                _url("schema:fiche", fiche.pk),
                "bientot",
                fiche.prochaine_echeance,
                "Échéance le",
            )  # fmt: skip
        )
    restantes = len(en_retard) + len(bientot) - 2 * LIGNES_MAX
    if restantes > 0:
        rubrique.taches.append(Tache(f"… et {pluriel(restantes, 'autre action')}", _url("schema:detail", schema.pk)))
    if organisation_id is not None:
        if mes_fiches and not (en_retard or bientot):
            rubrique.taches.append(
                Tache(
                    f"{pluriel(len(mes_fiches), 'action pilotée', 'actions pilotées')} ou suivies par vous, "
                    "à tenir à jour",
                    _url("schema:detail", schema.pk),
                )
            )
        if not mes_fiches:
            rubrique.rien = "Votre organisation ne pilote aucune action de ce schéma."
    elif peut(user, "schema.voir_interne", schema):
        decisions = selectors_gouvernance.compter_decisions(schema, jour=jour)
        limite = jour + datetime.timedelta(days=JOURS_BIENTOT)
        dues = [
            d
            for d in selectors_gouvernance.decisions_du_schema(schema, jour=jour)
            if d.statut in ("a_faire", "en_cours") and d.echeance and jour <= d.echeance <= limite
        ]
        if decisions["en_retard"]:
            rubrique.taches.append(
                Tache(
                    f"{pluriel(decisions['en_retard'], 'décision')} de comité en retard",
                    _url("schema:decisions", schema.pk, query="en_retard=1"),
                    "retard",
                )
            )
        if dues:
            rubrique.taches.append(
                Tache(
                    f"{pluriel(len(dues), 'décision')} de comité due{'s' if len(dues) > 1 else ''} dans les deux mois",
                    _url("schema:decisions", schema.pk),
                    "bientot",
                    min(d.echeance for d in dues),
                    "Première échéance le",
                )
            )
    rubrique.lien = Tache("Ouvrir le schéma directeur", _url("schema:detail", schema.pk))
    return rubrique


def _rubrique_evenements(user, code: str, jour: datetime.date, *, organisateur: bool) -> Rubrique:
    rubrique = Rubrique("Prochains événements", rien="Aucun événement à venir.")
    evenements = list(evenements_visibles(user, departement=code or None, apres=jour)[:EVENEMENTS_MAX])
    inscrits, invites = set(), set()
    if not organisateur:
        inscrits = set(
            mes_inscriptions(user)
            .filter(evenement__in=[e.pk for e in evenements])
            .exclude(statut="annulee")
            .values_list("evenement_id", flat=True)
        )
        invitations = mes_invitations(user).filter(evenement__in=[e.pk for e in evenements])
        invites = set(invitations.values_list("evenement_id", flat=True))
    for evenement in evenements:
        if organisateur:
            places = f" sur {nombre(evenement.capacite)} places" if evenement.capacite else ""
            detail = f"{pluriel(evenement.inscrits, 'inscrit')}{places}"
        else:
            detail = (
                "Vous êtes inscrit·e"
                if evenement.pk in inscrits
                else "Vous êtes invité·e : inscrivez-vous"
                if evenement.pk in invites
                else ""
            )
        debut = timezone.localtime(evenement.debut).date()
        rubrique.taches.append(
            Tache(evenement.titre, _url("reseau:evenement", evenement.pk), "", debut, "Le", complement=detail)
        )
    rubrique.lien = Tache("Tout l'agenda", _url("reseau:evenements", query=f"departement={code}" if code else ""))
    return rubrique


def _rubrique_imports(user) -> Rubrique | None:
    if not peut(user, "chargement.voir"):
        return None
    depuis = timezone.now() - datetime.timedelta(days=JOURS_IMPORTS_REFUSES)
    journal = territoires_selectors.journal_des_chargements()
    recents = journal.filter(statut=Chargement.Statut.REFUSE, debut__gte=depuis)[:50]
    # Row by row, as the journal page does (rule chargement.voir).
    refuses = [c for c in recents if peut(user, "chargement.voir", c)]
    rubrique = Rubrique("Imports", rien=f"Aucun import refusé ces {JOURS_IMPORTS_REFUSES} derniers jours.")
    for chargement in refuses[:LIGNES_MAX]:
        rubrique.taches.append(
            Tache(
                f"Import refusé : {chargement.commande}",
                _url("territoires:chargement", chargement.pk),
                "retard",
                timezone.localtime(chargement.debut).date(),
                "Le",
            )
        )
    rubrique.lien = Tache("Journal des imports", _url("territoires:chargements"))
    return rubrique


# --- Per role ---------------------------------------------------------------------------------------------


def _departements(user) -> list[str]:
    return sorted(codes_departements(user))[:3]


def pour_pilote(user, jour: datetime.date) -> list[Rubrique]:
    rubriques = []
    for code in _departements(user):
        registre = Rubrique(
            f"Registre et observatoire ({code})", rien="Aucun agrément à renouveler, aucune campagne en cours."
        )
        lignes = _renouvellements(code, jour)
        if lignes:
            registre.taches.append(_tache_renouvellements(lignes, code, lien=True))
        registre.taches.extend(_taches_campagnes(user, code, jour, tout_le_departement=True))
        registre.lien = Tache("Toutes les campagnes", _url("observatoire:campagnes", code))
        rubriques.append(registre)
        schema = _rubrique_schema(user, code, jour)
        if schema:
            rubriques.append(schema)
    imports = _rubrique_imports(user)
    if imports:
        rubriques.append(imports)
    code = next(iter(_departements(user)), "")
    rubriques.append(_rubrique_evenements(user, code, jour, organisateur=True))
    return rubriques


def pour_conseiller(user, jour: datetime.date) -> list[Rubrique]:
    communes = codes_communes(user)
    rubriques = []
    for code in _departements(user):
        secteur = Rubrique(
            f"Vos communes ({nombre(len(communes))})",
            rien="Aucune échéance sur vos communes." if communes else "Aucune commune ne vous est attribuée.",
        )
        structures = (
            structures_selectors.structures_actives(jour, departement=code).filter(commune_id__in=communes).count()
        )
        if communes:
            secteur.taches.append(
                Tache(
                    f"{pluriel(structures, 'structure active', 'structures actives')} sur vos communes",
                    _url("structures:annuaire", query=f"departement={code}"),
                )
            )
        for ligne in _renouvellements(code, jour, communes=communes)[:LIGNES_MAX]:
            prochaine = ligne.cle[0] if ligne.cle[0] != datetime.date.max else ligne.agrement.fin
            secteur.taches.append(
                Tache(
                    f"{ligne.agrement.structure.nom} : agrément {ligne.agrement.get_type_display()} "
                    f"jusqu'au {ligne.agrement.fin:%d/%m/%Y}",
                    _url("structures:structure", ligne.agrement.structure_id),
                    "retard" if ligne.retards else "bientot",
                    prochaine,
                    "Prochaine étape due le",
                )
            )
        secteur.taches.extend(_taches_campagnes(user, code, jour, tout_le_departement=False))
        rubriques.append(secteur)
    code = next(iter(_departements(user)), "")
    rubriques.append(_rubrique_evenements(user, code, jour, organisateur=True))
    return rubriques


def pour_structure(user, jour: datetime.date) -> list[Rubrique]:
    structure = user.structure
    if structure is None:
        return [Rubrique("Votre structure", rien="Votre compte n'est rattaché à aucune structure : écrivez à la Caf.")]
    rubriques = []
    questionnaire = Rubrique("Questionnaire annuel", rien="Aucun questionnaire à remplir pour l'instant.")
    for reponse in list(observatoire_selectors.reponses_de_la_structure(structure)[:3]):
        campagne = reponse.campagne
        phase = calendrier.phase_pour(campagne, jour)
        ouverte = phase in (calendrier.OUVERTE, calendrier.RELECTURE)
        if reponse.statut in (Statut.BROUILLON, Statut.A_CORRIGER) and ouverte:
            verbe = "à corriger" if reponse.statut == Statut.A_CORRIGER else "à remplir"
            questionnaire.taches.append(
                Tache(
                    f"Questionnaire {campagne.annee} {verbe} (statut : {reponse.get_statut_display().lower()})",
                    _url("observatoire:reponse", reponse.pk),
                    "retard" if phase == calendrier.RELECTURE or reponse.statut == Statut.A_CORRIGER else "bientot",
                    campagne.date_limite_reponse,
                    "Date limite :",
                )
            )
        elif phase != calendrier.CLOSE or not questionnaire.taches:
            questionnaire.taches.append(
                Tache(
                    f"Questionnaire {campagne.annee} : {reponse.get_statut_display().lower()}",
                    _url("observatoire:reponse", reponse.pk),
                )
            )
        if len(questionnaire.taches) >= 2:
            break
    questionnaire.lien = Tache("Tous mes questionnaires", _url("observatoire:mes_reponses"))
    rubriques.append(questionnaire)

    dossier = Rubrique("Agrément et documents", rien="Aucun document à fournir pour l'instant.")
    agrements = list(structures_selectors.agrements_en_cours(structure, jour))
    for agrement in agrements:
        dossier.taches.append(
            Tache(
                f"Agrément {agrement.get_type_display()} en cours",
                _url("structures:ma_structure"),
                "",
                agrement.fin,
                "Jusqu'au",
            )  # fmt: skip
        )
    if not agrements:
        dossier.taches.append(Tache("Aucun agrément en cours", _url("structures:ma_structure"), "retard"))
    for ligne in _renouvellements(structure.departement_id, jour, structure_id=structure.pk):
        for etat in ligne.etats:
            if not etat.fait and (etat.en_retard or etat.en_cours):
                dossier.taches.append(
                    Tache(
                        f"Renouvellement : {etat.jalon.libelle}",
                        _url("structures:ma_structure"),
                        "retard" if etat.en_retard else "bientot",
                        etat.jalon.echeance,
                        "À faire avant le",
                    )
                )
    dossier.lien = Tache("La fiche de ma structure", _url("structures:ma_structure"))
    rubriques.append(dossier)
    rubriques.append(_rubrique_evenements(user, structure.departement_id, jour, organisateur=False))
    return rubriques


def pour_partenaire(user, jour: datetime.date) -> list[Rubrique]:
    rubriques = []
    for code in _departements(user):
        if user.organisation_id:
            schema = _rubrique_schema(user, code, jour, organisation_id=user.organisation_id)
            if schema:
                rubriques.append(schema)
        # A correspondant observatoire mandate opens the review of some campaigns (rule campagne.suivre).
        relecture = _taches_campagnes(user, code, jour, tout_le_departement=True)
        if relecture:
            rubriques.append(Rubrique(f"Observatoire ({code})", relecture))
    code = next(iter(_departements(user)), "")
    rubriques.append(_rubrique_evenements(user, code, jour, organisateur=False))
    return rubriques


# --- First run (administrator) -----------------------------------------------------------------------------


def premier_lancement(jour: datetime.date) -> Rubrique:
    """The checklist of a new instance, each item ticked from the data."""
    code = settings.MAILLAGE_PLATEFORME.get("departement_defaut", "") or ""
    rubrique = Rubrique("Mise en route de la plateforme")
    territoires = territoires_selectors.departements_pour_choix().exists()
    rubrique.taches.append(
        Tache(
            "Territoires chargés (régions, départements, EPCI, communes)",
            _url("territoires:chargements"),
            "fait" if territoires else "",
            detail="" if territoires else "Commande : python manage.py charger_territoires (puis importer_qpv FICHIER)",
        )
    )
    departement = territoires_selectors.departement_du_code(code) if code and territoires else None
    nom_dep = f"{departement.nom} ({departement.code})" if departement else (code or "à définir : MAILLAGE_DEPARTEMENT")
    pilote = bool(departement) and comptes_selectors.comptes_du_departement(departement.code, role=Role.PILOTE).exists()
    rubrique.taches.append(
        Tache(
            f"Pilote Caf du département créé : {nom_dep}",
            _url("comptes:inviter", departement.code) if departement else "",
            "fait" if pilote else "",
            detail="" if pilote else "Invitez le compte du pilote depuis la gestion des comptes (rôle « Pilote Caf »).",
        )
    )
    structures = bool(departement) and (
        structures_selectors.annuaire(date=jour, departement=departement.code, toutes=True).exists()
    )
    rubrique.taches.append(
        Tache(
            "Structures importées",
            _url("structures:import"),
            "fait" if structures else "",
            detail="" if structures else "Import d'un tableur (aperçu avant écriture) ou commande importer_structures.",
        )
    )
    bareme = jour.year in bareme_par_annee()
    rubrique.taches.append(
        Tache(
            f"Barème de la prestation de service {jour.year} saisi",
            _url("admin:financements_baremeps_changelist"),
            "fait" if bareme else "",
            detail="" if bareme else "Dans l'administration : barème PS (taux et prix plafonds de l'année).",
        )
    )
    rubrique.rien = ""
    return rubrique


def taches(user) -> list[Rubrique]:
    """The home's blocks for `user`, by role."""
    jour = aujourdhui()
    if est_admin(user):
        return [premier_lancement(jour)]
    if user.role == Role.PILOTE:
        return pour_pilote(user, jour)
    if user.role == Role.CONSEILLER:
        return pour_conseiller(user, jour)
    if user.role == Role.STRUCTURE:
        return pour_structure(user, jour)
    return pour_partenaire(user, jour)
