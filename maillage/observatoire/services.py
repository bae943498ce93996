"""Writes of the observatoire: loading questionnaires, creating campaigns, saving answers and the review workflow.

Every function takes keyword arguments, checks permissions with `maillage.core.permissions` (`peut`/`exiger`),
validates before writing and writes in one transaction: a refusal raises ValidationError (French messages) or
PermissionDenied, and nothing is written. Workflow: brouillon → soumise → à corriger ↔ soumise → validée, and a
validated (locked) answer may be reopened (→ à corriger) with a reason; every change of status is a `Transition`.
"""

import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from maillage.core import horloge
from maillage.core.audit import acteur
from maillage.core.permissions import exiger, peut
from maillage.core.versions import verifier_version
from maillage.structures.models import TypeStructure
from maillage.structures.selectors import structures_actives
from maillage.territoires.models import Departement

from . import calendrier, regles, selectors
from . import questionnaire as definitions
from .models import Campagne, Commentaire, Questionnaire, Reponse, Statut, Transition

TRANSITIONS = {
    (Statut.BROUILLON, Statut.SOUMISE),
    (Statut.A_CORRIGER, Statut.SOUMISE),
    (Statut.SOUMISE, Statut.A_CORRIGER),
    (Statut.SOUMISE, Statut.VALIDEE),
    (Statut.VALIDEE, Statut.A_CORRIGER),
}
MODIFIABLES = {Statut.BROUILLON, Statut.A_CORRIGER}
MOTIF_MAX = 2000
COMMENTAIRE_MAX = 5000


# --- Questionnaires ------------------------------------------------------------------------------------------


def _nom_source(chemin: Path) -> str:
    chemin = chemin.resolve()
    try:
        return str(chemin.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return chemin.name


def questionnaire_charger(*, chemin) -> tuple[Questionnaire, str]:
    """Load a definition file. Returns (questionnaire, "cree" | "inchange" | "mis_a_jour").

    Same code and version with the same content: nothing changes. Same version with a different content: updated
    only while no campaign uses it, refused otherwise (a used version is frozen: give the file a new version),
    unless only its notes changed (lists' sources and « à confirmer » flags: `questionnaire.sans_notes`).
    """
    chemin = Path(chemin)
    try:
        texte = chemin.read_bytes()
    except OSError as e:
        raise ValidationError(f"Fichier illisible « {chemin} » : {e.strerror or e}.") from None
    try:
        definition = definitions.lire(texte, chemin.name)
    except definitions.DefinitionInvalide as e:
        raise ValidationError(e.erreurs) from None
    empreinte = definitions.empreinte(definition)
    champs = {
        "nature": definition["nature"],
        "titre": definition["titre"],
        "definition": definition,
        "fichier_source": _nom_source(chemin),
        "empreinte": empreinte,
    }
    with transaction.atomic():
        existant = (
            Questionnaire.objects.select_for_update()
            .filter(code=definition["code"], version=definition["version"])
            .first()
        )
        if existant is None:
            cree = Questionnaire.objects.create(code=definition["code"], version=definition["version"], **champs)
            return cree, "cree"
        if existant.empreinte == empreinte:
            return existant, "inchange"
        campagnes = Campagne.objects.filter(Q(questionnaire=existant) | Q(bloc_thematique=existant))
        premiere = campagnes.order_by("annee", "departement_id").first()
        if premiere is not None and definitions.sans_notes(existant.definition) == definitions.sans_notes(definition):
            # Only the notes changed (a list's source or « à confirmer »): the questions a campaign asked
            # are the same, so a used version takes them (a source corrected is not a new questionnaire).
            for champ, valeur in champs.items():
                setattr(existant, champ, valeur)
            existant.save()
            return existant, "mis_a_jour"
        if premiere is not None:
            raise ValidationError(
                f"La version {existant.version} du questionnaire « {existant.code} » est déjà utilisée par la campagne"
                f" {premiere.annee} ({premiere.departement_id}) : elle ne peut plus changer. Donnez un nouveau numéro"
                f" de version au fichier modifié."
            )
        if existant.nature != champs["nature"]:
            raise ValidationError("La nature (socle ou bloc thématique) d'une version existante ne peut pas changer.")
        for champ, valeur in champs.items():
            setattr(existant, champ, valeur)
        existant.save()
        return existant, "mis_a_jour"


# --- Campaigns ---------------------------------------------------------------------------------------------


def _lever(erreurs: dict) -> None:
    if erreurs:
        raise ValidationError(erreurs)


def _campagne_existe(annee: int) -> str:
    return f"Une campagne {annee} existe déjà pour ce département."


def _valider_reglages(
    *, ouverture, date_limite_reponse, date_limite_relecture, seuil_evolution
) -> tuple[dict, Decimal | None]:
    """The checks shared by a campaign's creation and its modification: ordered dates (`calendrier.erreurs_dates`)
    and the range of the threshold of signalled changes. Returns (French errors by field, the threshold)."""
    erreurs = calendrier.erreurs_dates(
        ouverture=ouverture, date_limite_reponse=date_limite_reponse, date_limite_relecture=date_limite_relecture
    )
    try:
        seuil = Decimal(str(seuil_evolution))
        if not Decimal("0") < seuil <= Decimal("10"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        seuil = None
        erreurs["seuil_evolution"] = "Le seuil d'évolution est un nombre entre 0 (exclu) et 10 (1 = ±100 %)."
    return erreurs, seuil


def campagne_creer(
    *,
    par,
    departement,
    annee: int,
    questionnaire: Questionnaire,
    ouverture: datetime.date,
    date_limite_reponse: datetime.date,
    date_limite_relecture: datetime.date,
    bloc_thematique: Questionnaire | None = None,
    federation_relit: bool = False,
    seuil_evolution=Decimal("0.50"),
    population: str = Campagne.Population.CS_EVS,
) -> Campagne:
    """Open a département's campaign for `annee` (data of `annee` − 1): one draft answer per structure active on
    31 December of the data year (`structures_actives`, the one definition of "active"), of the campaign's
    population (centres sociaux only, or centres sociaux and EVS)."""
    code = departement.code if isinstance(departement, Departement) else str(departement or "").strip().upper()
    exiger(par, "campagne.gerer", code)
    erreurs = {}
    departement = Departement.objects.filter(code=code).first()
    if departement is None:
        raise ValidationError({"departement": f"Département inconnu : « {code} »."})
    if not isinstance(annee, int) or isinstance(annee, bool) or not 2000 <= annee <= 2100:
        erreurs["annee"] = "L'année de collecte doit être une année entre 2000 et 2100."
    elif Campagne.objects.filter(departement=departement, annee=annee).exists():
        erreurs["annee"] = _campagne_existe(annee)
    if not isinstance(questionnaire, Questionnaire) or questionnaire.nature != Questionnaire.Nature.SOCLE:
        erreurs["questionnaire"] = "Choisissez un questionnaire socle."
    if bloc_thematique is not None and (
        not isinstance(bloc_thematique, Questionnaire) or bloc_thematique.nature != Questionnaire.Nature.THEME
    ):
        erreurs["bloc_thematique"] = "Le bloc thématique doit être un questionnaire de nature « bloc thématique »."
    if population not in Campagne.Population.values:
        erreurs["population"] = "Choisissez les structures interrogées : centres sociaux seulement, ou avec les EVS."
    reglages, seuil = _valider_reglages(
        ouverture=ouverture,
        date_limite_reponse=date_limite_reponse,
        date_limite_relecture=date_limite_relecture,
        seuil_evolution=seuil_evolution,
    )
    erreurs.update(reglages)
    if "questionnaire" not in erreurs and "bloc_thematique" not in erreurs:
        try:
            definitions.assembler(questionnaire.definition, bloc_thematique.definition if bloc_thematique else None)
        except definitions.DefinitionInvalide as e:
            prefixe = "Le socle et le bloc thématique ne vont pas ensemble"
            erreurs["bloc_thematique"] = [f"{prefixe} : {m}" for m in e.erreurs]
    _lever(erreurs)
    with transaction.atomic(), acteur(par):
        try:
            # A savepoint: another request may create the same campaign between the check above and this write.
            with transaction.atomic():
                campagne = Campagne.objects.create(
                    departement=departement,
                    annee=annee,
                    annee_donnees=annee - 1,
                    questionnaire=questionnaire,
                    bloc_thematique=bloc_thematique,
                    ouverture=ouverture,
                    date_limite_reponse=date_limite_reponse,
                    date_limite_relecture=date_limite_relecture,
                    federation_relit=bool(federation_relit),
                    seuil_evolution=seuil,
                    population=population,
                    cree_par=par,
                )
        except IntegrityError:
            if not Campagne.objects.filter(departement=departement, annee=annee).exists():
                raise
            raise ValidationError({"annee": _campagne_existe(annee)}) from None
        attendues = structures_interrogees(campagne).values_list("pk", flat=True)
        Reponse.objects.bulk_create(
            [Reponse(campagne=campagne, structure_id=pk) for pk in attendues.order_by("pk")], batch_size=500
        )
    return campagne


def structures_interrogees(campagne: Campagne):
    """The structures a campaign asks: active on 31 December of its data year, of its population."""
    structures = structures_actives(datetime.date(campagne.annee_donnees, 12, 31), departement=campagne.departement_id)
    if campagne.population == Campagne.Population.CS:
        structures = structures.filter(type=TypeStructure.CENTRE_SOCIAL)
    return structures


def _campagne_geree(par, campagne) -> Campagne:
    """Re-read the campaign under a row lock (PostgreSQL) and check that `par` steers it: the permission is decided
    on the stored row, never on the object a caller passed."""
    fraiche = Campagne.objects.select_for_update().filter(pk=getattr(campagne, "pk", None)).first()
    if fraiche is None:
        exiger(par, "campagne.gerer", campagne)  # an anonymous or out-of-scope caller learns nothing more
        raise ValidationError("Cette campagne n'existe pas (ou plus).")
    exiger(par, "campagne.gerer", fraiche)
    return fraiche


def campagne_modifier(
    *,
    par,
    campagne: Campagne,
    ouverture: datetime.date,
    date_limite_reponse: datetime.date,
    date_limite_relecture: datetime.date,
    federation_relit: bool,
    seuil_evolution,
    version: int | None = None,
) -> Campagne:
    """Change a campaign's dates and settings (typically: extend a deadline), validated as at creation. The year and
    the questionnaire stay as they are: the answers depend on them. The structures' access follows the new dates
    at once (`calendrier`). A stale `version` (the one the form read) is refused with ConflitVersion."""
    with transaction.atomic(), acteur(par):
        campagne = _campagne_geree(par, campagne)
        if version is not None:
            verifier_version(campagne, version, nom="cette campagne")
        erreurs, seuil = _valider_reglages(
            ouverture=ouverture,
            date_limite_reponse=date_limite_reponse,
            date_limite_relecture=date_limite_relecture,
            seuil_evolution=seuil_evolution,
        )
        _lever(erreurs)
        campagne.ouverture = ouverture
        campagne.date_limite_reponse = date_limite_reponse
        campagne.date_limite_relecture = date_limite_relecture
        campagne.federation_relit = bool(federation_relit)
        campagne.seuil_evolution = seuil
        campagne.save(
            update_fields=[
                "ouverture",
                "date_limite_reponse",
                "date_limite_relecture",
                "federation_relit",
                "seuil_evolution",
                "modifie_le",
            ]
        )
    return campagne


def campagne_publier(*, par, campagne: Campagne) -> Campagne:
    """Publish a campaign's results: its synthesis, reports and API become public. Refused while no answer is
    validated (there would be nothing to show) and when it is already published."""
    with transaction.atomic(), acteur(par):
        campagne = _campagne_geree(par, campagne)
        if campagne.publiee:
            raise ValidationError(f"Les résultats de la campagne {campagne.annee} sont déjà publiés.")
        if not campagne.reponses.filter(statut=Statut.VALIDEE).exists():
            raise ValidationError(
                f"La campagne {campagne.annee} n'a encore aucune réponse validée : il n'y a pas de résultats à"
                " publier. Validez d'abord des réponses."
            )
        campagne.publiee, campagne.publiee_le = True, horloge.maintenant()
        campagne.save(update_fields=["publiee", "publiee_le", "modifie_le"])
    return campagne


def campagne_depublier(*, par, campagne: Campagne) -> Campagne:
    """Withdraw the publication: the synthesis is again reserved to the Caf and the département's partners."""
    with transaction.atomic(), acteur(par):
        campagne = _campagne_geree(par, campagne)
        if not campagne.publiee:
            raise ValidationError(f"Les résultats de la campagne {campagne.annee} ne sont pas publiés.")
        campagne.publiee, campagne.publiee_le = False, None
        campagne.save(update_fields=["publiee", "publiee_le", "modifie_le"])
    return campagne


# --- Answers -------------------------------------------------------------------------------------------------


def _verrouiller(reponse: Reponse) -> Reponse:
    """Re-read the answer under a row lock (PostgreSQL), with its campaign and structure."""
    fraiche = Reponse.objects.select_for_update().get(pk=reponse.pk)
    fraiche.campagne = Campagne.objects.select_related("questionnaire", "bloc_thematique").get(pk=fraiche.campagne_id)
    fraiche.structure = reponse.structure if reponse.structure_id == fraiche.structure_id else fraiche.structure
    return fraiche


def _exiger_modifiable(par, reponse: Reponse) -> None:
    if reponse.statut not in MODIFIABLES or reponse.verrouillee:
        if not peut(par, "reponse.voir", reponse):
            raise PermissionDenied("Vous n'avez pas accès à cette ressource.")
        if reponse.verrouillee:
            raise ValidationError("Cette réponse est validée et verrouillée : elle ne peut plus être modifiée.")
        raise ValidationError(
            f"Cette réponse est « {reponse.get_statut_display().lower()} » : elle ne peut être modifiée que"
            " en brouillon ou renvoyée à corriger."
        )
    exiger(par, "reponse.modifier", reponse)
    _exiger_calendrier(reponse)


def _exiger_calendrier(reponse: Reponse) -> None:
    motif = calendrier.motif_pour(reponse.campagne, reponse.statut, horloge.aujourdhui())
    if motif:
        raise ValidationError(motif)


def _verifier_version(reponse: Reponse, version) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or version != reponse.version:
        raise ValidationError(
            {
                "version": "Cette réponse a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte :"
                " rechargez la page pour voir ses changements, puis saisissez à nouveau les vôtres."
            }
        )


def _ecrire(*, par, reponse: Reponse, nouvelles: dict, version) -> Reponse:
    """Store new values if `version` is still the current one (optimistic lock), and bump the version."""
    _verifier_version(reponse, version)
    # Claim the version atomically (SQLite has no row lock): a concurrent save of the same version gets 0 rows.
    if not Reponse.objects.filter(pk=reponse.pk, version=version).update(version=version + 1):
        raise ValidationError({"version": "Cette réponse vient d'être modifiée par quelqu'un d'autre : rechargez-la."})
    reponse.valeurs = nouvelles
    reponse.version = version + 1
    reponse.modifiee_par = par
    reponse.save(update_fields=["valeurs", "version", "modifiee_par", "modifie_le"])
    return reponse


def reponse_enregistrer(*, par, reponse: Reponse, valeurs: dict, version: int) -> Reponse:
    """Autosave of a section: `valeurs` {code: value} are checked for type and range (not for required answers nor
    consistency, which the submission checks), merged into the answer (an empty value removes the answer) and the
    version is bumped. Refused when the answer is locked or not editable, or when `version` is stale."""
    with transaction.atomic(), acteur(par):
        reponse = _verrouiller(reponse)
        _exiger_modifiable(par, reponse)
        definition = selectors.definition_campagne(reponse.campagne)
        propres, erreurs = regles.valider_types(definition, valeurs)
        _lever(erreurs)
        nouvelles = dict(reponse.valeurs)
        for code, valeur in propres.items():
            if valeur is None:
                nouvelles.pop(code, None)
            else:
                nouvelles[code] = valeur
        return _ecrire(par=par, reponse=reponse, nouvelles=nouvelles, version=version)


def reponse_prefill(*, par, reponse: Reponse, version: int) -> tuple[Reponse, list[str]]:
    """Prefill the unanswered questions from the registry, the structure's budget réalisé of the data year and last
    year's validated answer (questions marked `reprise`). Returns the answer and the codes prefilled."""
    with transaction.atomic(), acteur(par):
        reponse = _verrouiller(reponse)
        _exiger_modifiable(par, reponse)
        _verifier_version(reponse, version)
        definition = selectors.definition_campagne(reponse.campagne)
        precedente = selectors.reponse_precedente(reponse)
        proposees = regles.prefill(
            definition,
            selectors.sources_prefill(reponse.structure, reponse.campagne.annee_donnees),
            precedente.valeurs if precedente else None,
            selectors.contexte_reponse(reponse),
            deja=reponse.valeurs,
        )
        if not proposees:
            return reponse, []
        reponse = _ecrire(par=par, reponse=reponse, nouvelles={**reponse.valeurs, **proposees}, version=version)
        return reponse, sorted(proposees)


def _motif(motif) -> str:
    motif = motif.strip() if isinstance(motif, str) else ""
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif : il est transmis à la structure et conservé."})
    if len(motif) > MOTIF_MAX:
        raise ValidationError({"motif": f"Le motif ne doit pas dépasser {MOTIF_MAX} caractères."})
    return motif


def _passer(*, par, reponse: Reponse, depuis: set, vers: str, action: str, motif: str = "") -> Reponse:
    if not peut(par, "reponse.voir", reponse):
        raise PermissionDenied("Vous n'avez pas accès à cette ressource.")
    if (reponse.statut, vers) in TRANSITIONS and reponse.statut not in depuis:
        attendus = " ou ".join(f"« {Statut(s).label.lower()} »" for s in sorted(depuis))
        raise ValidationError(
            f"Cette action ne concerne qu'une réponse {attendus} ; celle-ci est"
            f" « {reponse.get_statut_display().lower()} »."
        )
    if (reponse.statut, vers) not in TRANSITIONS:
        raise ValidationError(
            f"Une réponse « {reponse.get_statut_display().lower()} » ne peut pas passer à"
            f" « {Statut(vers).label.lower()} »."
        )
    exiger(par, action, reponse)
    maintenant = horloge.maintenant()
    horloge.dater(Transition.objects.create(reponse=reponse, de=reponse.statut, vers=vers, par=par, motif=motif))
    reponse.statut = vers
    reponse.version += 1
    reponse.modifiee_par = par
    if vers == Statut.SOUMISE:
        reponse.soumise_le = maintenant
    if vers == Statut.VALIDEE:
        reponse.verrouillee, reponse.validee_le = True, maintenant
    if vers == Statut.A_CORRIGER:
        reponse.verrouillee, reponse.validee_le = False, None
    reponse.save()
    return reponse


def reponse_soumettre(*, par, reponse: Reponse) -> Reponse:
    """The structure submits its answer: refused while the rules engine reports a blocking error."""
    with transaction.atomic(), acteur(par):
        reponse = _verrouiller(reponse)
        if reponse.statut in MODIFIABLES:
            exiger(par, "reponse.modifier", reponse)
            _exiger_calendrier(reponse)
            resultat = selectors.controle(reponse)
            if resultat.bloquant:
                definition = selectors.definition_campagne(reponse.campagne)
                raise ValidationError(resultat.messages_bloquants(definition))
        return _passer(par=par, reponse=reponse, depuis=MODIFIABLES, vers=Statut.SOUMISE, action="reponse.modifier")


def reponse_renvoyer(*, par, reponse: Reponse, motif: str) -> Reponse:
    """A reviewer sends a submitted answer back to the structure, with a reason."""
    motif = _motif(motif)
    with transaction.atomic(), acteur(par):
        reponse = _verrouiller(reponse)
        return _passer(
            par=par,
            reponse=reponse,
            depuis={Statut.SOUMISE},
            vers=Statut.A_CORRIGER,
            action="reponse.relire",
            motif=motif,
        )


def reponse_valider(*, par, reponse: Reponse) -> Reponse:
    """A reviewer validates a submitted answer, which locks it."""
    with transaction.atomic(), acteur(par):
        reponse = _verrouiller(reponse)
        return _passer(par=par, reponse=reponse, depuis={Statut.SOUMISE}, vers=Statut.VALIDEE, action="reponse.relire")


def reponse_rouvrir(*, par, reponse: Reponse, motif: str) -> Reponse:
    """A reviewer reopens a validated answer (→ à corriger, unlocked), with a reason."""
    motif = _motif(motif)
    with transaction.atomic(), acteur(par):
        reponse = _verrouiller(reponse)
        return _passer(
            par=par,
            reponse=reponse,
            depuis={Statut.VALIDEE},
            vers=Statut.A_CORRIGER,
            action="reponse.relire",
            motif=motif,
        )


def reponse_commenter(*, par, reponse: Reponse, texte: str, question: str = "") -> Commentaire:
    """A comment on the answer or on one question: reviewers and the structure itself (to answer a query)."""
    exiger(par, "reponse.voir", reponse)
    texte = texte.strip() if isinstance(texte, str) else ""
    erreurs = {}
    if not texte:
        erreurs["texte"] = "Le commentaire est vide."
    elif len(texte) > COMMENTAIRE_MAX:
        erreurs["texte"] = f"Le commentaire ne doit pas dépasser {COMMENTAIRE_MAX} caractères."
    question = question or ""
    if question and question not in selectors.definition_campagne(reponse.campagne).questions:
        erreurs["question"] = f"Question inconnue : « {question} »."
    _lever(erreurs)
    with transaction.atomic(), acteur(par):
        return horloge.dater(Commentaire.objects.create(reponse=reponse, question=question, auteur=par, texte=texte))
