"""Writes of the schéma directeur. Keyword-only arguments, permission check first, validation before writing,
French messages, one transaction, audit through `acteur`.

`fiche_mettre_a_jour` is the one way to change a fiche action's status, progress and milestones (page, API PATCH,
bulk import): the same rules everywhere."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from maillage.core.audit import acteur
from maillage.core.horloge import aujourdhui, dater
from maillage.core.permissions import peut
from maillage.core.versions import verifier_version

from .models import CommentaireAction, FicheAction, Jalon

Statut = FicheAction.Statut
LONGUEUR_COMMENTAIRE = 4000
REFUS = "Vous n'avez pas accès à cette ressource."


def _nom_de(user) -> str:
    if user is None:
        return ""
    nom = user.get_full_name() if hasattr(user, "get_full_name") else ""
    organisation = getattr(getattr(user, "organisation", None), "nom", "")
    libelle = nom or getattr(user, "email", "") or str(user)
    return f"{libelle} ({organisation})" if organisation else libelle


def valider_mise_a_jour(fiche: FicheAction, *, statut=None, avancement=None, commentaire=None) -> tuple[str, int, str]:
    """The status, progress and comment an update would leave, or ValidationError (French, keyed by field).

    A fiche set to « réalisée » is at 100 %; a progress of 100 % on an action still running makes it « réalisée »
    only when asked: the two are kept apart, except that « réalisée » below 100 % is refused."""
    erreurs = {}
    nouveau_statut = fiche.statut if statut in (None, "") else statut
    if nouveau_statut not in Statut.values:
        erreurs["statut"] = "Choisissez un statut de la liste : " + ", ".join(Statut.labels) + "."
    nouvel_avancement = fiche.avancement
    if avancement not in (None, ""):
        try:
            valeur = float(str(avancement).replace(",", ".").rstrip("%").strip())
        except ValueError:
            valeur = None
        if valeur is None or valeur != valeur or not 0 <= valeur <= 100:
            erreurs["avancement"] = "L'avancement est un pourcentage entre 0 et 100."
        else:
            nouvel_avancement = round(valeur)
    if (
        "statut" not in erreurs
        and "avancement" not in erreurs
        and nouveau_statut == Statut.REALISEE
        and avancement not in (None, "")
        and nouvel_avancement < 100
    ):
        erreurs["avancement"] = "Une action réalisée est avancée à 100 %."
    texte = (commentaire or "").strip() if isinstance(commentaire, str | type(None)) else None
    if texte is None:
        erreurs["commentaire"] = "Le commentaire doit être un texte."
    elif len(texte) > LONGUEUR_COMMENTAIRE:
        erreurs["commentaire"] = f"Le commentaire ne doit pas dépasser {LONGUEUR_COMMENTAIRE} caractères."
    if erreurs:
        raise ValidationError(erreurs)
    if nouveau_statut == Statut.REALISEE:
        nouvel_avancement = 100
    return nouveau_statut, nouvel_avancement, texte


def fiche_mettre_a_jour(
    *,
    par,
    fiche: FicheAction,
    statut: str | None = None,
    avancement=None,
    commentaire: str | None = None,
    jalons_faits: dict[int, bool] | None = None,
    version: int | None = None,
    jour: datetime.date | None = None,
) -> FicheAction:
    """Change a fiche action's status, progress and milestones, with an optional comment kept in its history.

    `version` is the one the form or client read (ConflitVersion if stale; None only for scripts and the bulk
    import, which checks versions itself). `jalons_faits`: {milestone id: done?}."""
    if not peut(par, "fiche_action.mettre_a_jour", fiche):
        raise PermissionDenied(REFUS)
    nouveau_statut, nouvel_avancement, texte = valider_mise_a_jour(
        fiche, statut=statut, avancement=avancement, commentaire=commentaire
    )
    jalons = {}
    if jalons_faits:
        jalons = {j.pk: j for j in Jalon.objects.filter(fiche=fiche, pk__in=list(jalons_faits))}
        inconnus = set(jalons_faits) - set(jalons)
        if inconnus:
            raise ValidationError({"jalons": "Jalon inconnu pour cette fiche action."})
    jour = jour or aujourdhui()
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(fiche, version, nom="cette fiche action")
        change = nouveau_statut != fiche.statut or nouvel_avancement != fiche.avancement
        if change:
            fiche.statut, fiche.avancement = nouveau_statut, nouvel_avancement
            fiche.save(update_fields=["statut", "avancement", "modifie_le"])
        for pk, fait in jalons_faits.items() if jalons_faits else ():
            jalon = jalons[pk]
            if jalon.fait != bool(fait):
                jalon.fait = bool(fait)
                jalon.fait_le = jour if jalon.fait else None
                jalon.save(update_fields=["fait", "fait_le"])
        if texte or change:
            # Dated on the clock (the demo's story), like the jalons' fait_le.
            dater(
                CommentaireAction.objects.create(
                    fiche=fiche,
                    auteur=par if getattr(par, "is_authenticated", False) else None,
                    auteur_libelle=_nom_de(par),
                    texte=texte or "Mise à jour du statut ou de l'avancement.",
                    statut=nouveau_statut if change else "",
                    avancement=nouvel_avancement if change else None,
                )
            )
        return fiche
