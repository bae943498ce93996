"""The import of published reference figures (`manage.py importer_references`; the file format is in `references`).

The whole file is read and checked first (`references.lire`), territories against the referential; nothing is
written when a row is wrong. Then, in one transaction, each row is created, updated (another value, unit, source,
address or illustrative flag) or left as it is: re-importing the same file changes nothing. Each run, applied or
refused, is journaled in a `territoires.Chargement` row; each created or changed value gets its audit entry.

Who may import (rule `reference.importer`): national and regional figures are shared by every département of the
instance, so only an administrator imports them; a pilote imports the figures of the départements in their scope.
The command line acts as the operator (no user): everything is allowed.
"""

import hashlib
from functools import partial

from django.db import transaction
from django.utils import timezone

from maillage.core.audit import acteur
from maillage.core.formats import nombre
from maillage.core.imports import ErreurLigne, ImportRefuse
from maillage.core.permissions import peut
from maillage.territoires.models import Chargement, Departement, Region
from maillage.territoires.services import chargement_journaliser, import_refuser

from . import references
from .models import ValeurReference

COMMANDE = "importer_references"
MENTION_ILLUSTRATIVE = "valeurs illustratives, non officielles"


def _rien(message: str) -> None:
    """No progress output (pages and tests)."""


def _validateur_territoires():
    regions = set(Region.objects.values_list("code", flat=True))
    departements = set(Departement.objects.values_list("code", flat=True))

    def valider(niveau: str, code: str) -> str | None:
        if niveau == references.REGIONAL and code not in regions:
            return f"région inconnue : « {code} » (code INSEE de la région, par exemple 11 pour l'Île-de-France)."
        if niveau == references.DEPARTEMENTAL and code not in departements:
            return f"département inconnu : « {code} » (code du département, par exemple 94)."
        return None

    return valider


def _refus_de_droits(lignes, par) -> list[ErreurLigne]:
    erreurs = []
    for ligne in lignes:
        cible = ligne.territoire if ligne.niveau == references.DEPARTEMENTAL else None
        if peut(par, "reference.importer", cible):
            continue
        if cible is None:
            raison = "les chiffres nationaux et régionaux sont importés par un administrateur de la plateforme."
        else:
            raison = f"vous n'importez que les chiffres de vos départements (pas le {cible})."
        erreurs.append(ErreurLigne(raison, ligne.ligne, "niveau"))
    return erreurs


def references_importer(
    *,
    contenu: bytes,
    nom_fichier: str,
    par=None,
    auteur: str = "",
    illustratif: bool = False,
    annoncer=_rien,
) -> dict:
    """Validate then write; returns the summary {format, lignes, creees, modifiees, inchangees, chargement}.
    `par`: the user importing (None for the command line). Raises ImportRefuse (errors with line, column, reason)."""
    debut = timezone.now()
    empreinte = hashlib.sha256(contenu).hexdigest()
    parametres = {"illustratif": illustratif}
    auteur = auteur or (getattr(par, "email", "") if par is not None else "")
    refuser = partial(
        import_refuser,
        commande=COMMANDE,
        fichier=nom_fichier,
        empreinte=empreinte,
        parametres=parametres,
        auteur=auteur,
        debut=debut,
    )
    annoncer("Lecture et vérification du fichier…")
    lu = references.lire(contenu, _validateur_territoires())
    erreurs = list(lu.erreurs)
    if par is not None:  # the rights of the well-formed rows, reported with the other errors
        erreurs = sorted(erreurs + _refus_de_droits(lu.lignes, par), key=lambda e: e.ligne or 0)
    if erreurs:
        raise refuser(erreurs)
    annoncer(f"{nombre(len(lu.lignes))} ligne(s) valides ; écriture…")

    existantes = {
        (v.indicateur, v.annee, v.niveau, v.territoire): v
        for v in ValeurReference.objects.filter(indicateur__in={ligne.indicateur for ligne in lu.lignes})
    }
    creees = modifiees = inchangees = 0
    with transaction.atomic(), acteur(par):
        a_ecrire = []
        for ligne in lu.lignes:
            unite = references.PAR_CODE[ligne.indicateur].unite
            voulu = {
                "valeur": ligne.valeur,
                "unite": unite,
                "source": ligne.source,
                "url": ligne.url,
                "illustratif": illustratif,
            }
            valeur = existantes.get(ligne.cle)
            if valeur is None:
                a_ecrire.append(
                    ValeurReference(
                        indicateur=ligne.indicateur,
                        annee=ligne.annee,
                        niveau=ligne.niveau,
                        territoire=ligne.territoire,
                        **voulu,
                    )
                )
                creees += 1
            elif any(getattr(valeur, champ) != attendu for champ, attendu in voulu.items()):
                for champ, attendu in voulu.items():
                    setattr(valeur, champ, attendu)
                a_ecrire.append(valeur)
                modifiees += 1
            else:
                inchangees += 1
        resume = {
            "format": lu.format,
            "lignes": len(lu.lignes),
            "creees": creees,
            "modifiees": modifiees,
            "inchangees": inchangees,
        }
        chargement = chargement_journaliser(
            commande=COMMANDE,
            fichier=nom_fichier,
            empreinte=empreinte,
            parametres=parametres,
            statut=Chargement.Statut.REUSSI,
            resume=resume,
            auteur=auteur,
            debut=debut,
        )
        for valeur in a_ecrire:
            valeur.chargement = chargement
            valeur.importe_par = par
            valeur.save()  # a few hundred rows at most: each one with its audit entry
    resume["chargement"] = chargement.pk
    return resume


def resume_texte(resume: dict) -> str:
    texte = (
        f"Repères publiés importés ({resume['format']}, {nombre(resume['lignes'])} ligne(s)) : "
        f"{nombre(resume['creees'])} créée(s), {nombre(resume['modifiees'])} modifiée(s), "
        f"{nombre(resume['inchangees'])} inchangée(s)."
    )
    if not resume["creees"] and not resume["modifiees"]:
        texte += "\nAucun changement : les valeurs du fichier étaient déjà à jour."
    return texte


def refus_texte(refus: ImportRefuse) -> str:
    details = "\n".join(f"  - {erreur['message']}" for erreur in refus.erreurs)
    journal = f"\n(Refus inscrit au journal des chargements, n° {refus.chargement.pk}.)" if refus.chargement else ""
    return f"{refus.message}\n{details}{journal}"
