"""The write of a past campaign import (`manage.py importer_campagne`).

`campagne_importer` reads and validates the whole file (`import_campagne`), and writes only when no row is wrong,
in one transaction: the campaign of the year is created when missing (dates of that year, one draft per structure
active at the end of the data year, like `services.campagne_creer`), and each row's answer is stored as validated
(locked) with a Transition whose reason names the file. Re-importing the same file changes nothing. A validated
answer with other values is refused (reopen it first). Each applied or refused run is journaled in a
`territoires.Chargement` row; the created campaign and every created or changed answer get their audit entry, with
the importing user (or the command's author) and that row.
"""

import copy
import datetime
import hashlib
from functools import partial

from django.db import transaction
from django.utils import timezone

from maillage.core import horloge
from maillage.core.audit import ecart, journaliser_en_masse, sans_journal_automatique
from maillage.core.fichiers import FichierIllisible
from maillage.structures.models import Structure
from maillage.structures.selectors import structures_actives
from maillage.territoires.models import Chargement, Departement
from maillage.territoires.services import chargement_journaliser, import_refuser

from . import import_campagne, selectors
from .models import Campagne, Questionnaire, Reponse, Statut, Transition

COMMANDE = "importer_campagne"
SOCLE_PAR_DEFAUT = "senacs-socle"


def _questionnaire(reference: str | None) -> Questionnaire | None:
    """`CODE:VERSION`, `CODE` (its latest version) or None (the latest SENACS core)."""
    code, _, version = (reference or SOCLE_PAR_DEFAUT).partition(":")
    questionnaires = Questionnaire.objects.filter(code=code.strip(), nature=Questionnaire.Nature.SOCLE)
    if version:
        if not version.strip().isdigit():
            return None
        questionnaires = questionnaires.filter(version=int(version))
    return questionnaires.order_by("-version").first()


def campagne_importer(
    *,
    contenu: bytes,
    nom_fichier: str,
    annee: int,
    departement: str,
    questionnaire: str | None = None,
    auteur: str = "",
    utilisateur=None,
) -> dict:
    """Validate then write; returns the summary. Raises ImportRefuse (errors with line, column, reason)."""
    debut = timezone.now()
    empreinte = hashlib.sha256(contenu).hexdigest()
    code = str(departement or "").strip().upper()
    parametres = {"annee": annee, "departement": code, "questionnaire": questionnaire or ""}

    refuser = partial(
        import_refuser,
        commande=COMMANDE,
        fichier=nom_fichier,
        empreinte=empreinte,
        parametres=parametres,
        auteur=auteur,
        debut=debut,
    )

    if not Departement.objects.filter(code=code).exists():
        raise refuser([import_campagne.Erreur(f"département inconnu : « {code} ».")])
    if isinstance(annee, bool) or not isinstance(annee, int) or not 2000 <= annee <= 2100:
        raise refuser([import_campagne.Erreur("l'année de collecte doit être une année entre 2000 et 2100.")])
    campagne = (
        Campagne.objects.select_related("questionnaire", "bloc_thematique")
        .filter(departement_id=code, annee=annee)
        .first()
    )
    socle = _questionnaire(questionnaire)
    if socle is None:
        raise refuser([import_campagne.Erreur(f"questionnaire socle inconnu : « {questionnaire} ».")])
    if campagne is not None and questionnaire and campagne.questionnaire_id != socle.pk:
        raise refuser(
            [
                import_campagne.Erreur(
                    f"la campagne {annee} existe déjà avec le questionnaire « {campagne.questionnaire.code}"
                    f":{campagne.questionnaire.version} »."
                )
            ]
        )
    if campagne is not None:
        definition = selectors.definition_campagne(campagne)
    else:
        definition = selectors.definition_campagne(Campagne(questionnaire=socle, bloc_thematique=None))
    try:
        fichier = import_campagne.lire(contenu)
    except FichierIllisible as illisible:
        raise refuser([illisible.erreur]) from None

    structures = {}
    for pk, siret in Structure.objects.filter(departement_id=code).values_list("pk", "siret"):
        structures[f"#{pk}"] = pk
        if siret:
            structures[siret] = pk
    resultat = import_campagne.valider(fichier, definition, structures)
    erreurs = list(resultat.erreurs)
    existantes = {}
    if campagne is not None:
        existantes = {r.structure_id: r for r in Reponse.objects.filter(campagne=campagne).select_related("structure")}
        for ligne in resultat.lignes:
            reponse = existantes.get(ligne.structure_id)
            if reponse is not None and reponse.statut == Statut.VALIDEE and reponse.valeurs != ligne.valeurs:
                erreurs.append(
                    import_campagne.Erreur(
                        "la réponse de cette structure est déjà validée avec d'autres valeurs : rouvrez-la avant"
                        " de la réimporter.",
                        ligne.ligne,
                    )
                )
    if erreurs:
        erreurs.sort(key=lambda e: e.ligne or 0)
        raise refuser(erreurs)

    resume = {"format": fichier.format, "lignes": len(resultat.lignes), "campagne_creee": False}
    importees = inchangees = 0
    creees, modifiees = [], []
    with transaction.atomic(), sans_journal_automatique():
        if campagne is None:
            campagne = Campagne.objects.create(
                departement_id=code,
                annee=annee,
                annee_donnees=annee - 1,
                questionnaire=socle,
                ouverture=datetime.date(annee, 3, 1),
                date_limite_reponse=datetime.date(annee, 5, 31),
                date_limite_relecture=datetime.date(annee, 7, 15),
                cree_par=utilisateur,
            )
            attendues = structures_actives(datetime.date(annee - 1, 12, 31), departement=code).values_list(
                "pk", flat=True
            )
            Reponse.objects.bulk_create(
                [Reponse(campagne=campagne, structure_id=pk) for pk in attendues.order_by("pk")], batch_size=500
            )
            existantes = {
                r.structure_id: r for r in Reponse.objects.filter(campagne=campagne).select_related("structure")
            }
            resume["campagne_creee"] = True
            creees = [campagne, *existantes.values()]
        maintenant = horloge.maintenant()
        motif = f"import : {nom_fichier}"[:2000]
        for ligne in resultat.lignes:
            reponse = existantes.get(ligne.structure_id) or Reponse(campagne=campagne, structure_id=ligne.structure_id)
            if reponse.pk and reponse.statut == Statut.VALIDEE:
                inchangees += 1
                continue
            ancien = reponse.statut if reponse.pk else Statut.BROUILLON
            avant = copy.copy(reponse) if reponse.pk else None
            reponse.valeurs = ligne.valeurs
            reponse.statut = Statut.VALIDEE
            reponse.verrouillee = True
            reponse.soumise_le = reponse.soumise_le or maintenant
            reponse.validee_le = maintenant
            reponse.version = (reponse.version or 1) + 1
            reponse.modifiee_par = utilisateur
            reponse.save()
            if avant is None:
                creees.append(reponse)
            else:
                modifiees.append((reponse, ecart(avant, reponse)))
            horloge.dater(
                Transition.objects.create(reponse=reponse, de=ancien, vers=Statut.VALIDEE, par=utilisateur, motif=motif)
            )
            importees += 1
        resume.update({"campagne": campagne.pk, "importees": importees, "inchangees": inchangees})
        chargement = chargement_journaliser(
            commande=COMMANDE,
            fichier=nom_fichier[:500],
            empreinte=empreinte,
            parametres=parametres,
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur=auteur[:200],
            debut=debut,
            fin=timezone.now(),
        )
        trace = partial(
            journaliser_en_masse,
            par=utilisateur,
            chargement_id=chargement.pk,
            commande=COMMANDE,
            fichier=nom_fichier,
            auteur=auteur,
        )
        trace(creees, action="creer")
        trace([r for r, _ in modifiees], action="modifier", changements=[c for _, c in modifiees])
    return resume
