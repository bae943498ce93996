"""The report's commentaries: short texts per section of the plaquette, written before publication.

Who: rule `rapport.commenter` (the pilote in scope, partners with a live correspondant observatoire mandate).
When: while the campaign is not published; once published the texts are frozen (withdrawing the publication
opens them again). An empty text removes the section's commentary.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from maillage.core import horloge
from maillage.core.audit import acteur
from maillage.core.permissions import peut

from ..models import Campagne, CommentaireRapport

LONGUEUR_MAX = CommentaireRapport._meta.get_field("texte").max_length
# The cover holds the key figures and the contents too: its editorial stays short.
LONGUEURS = {CommentaireRapport.Section.EDITORIAL: 600}
MESSAGE_FIGE = (
    "Les résultats de la campagne {annee} sont publiés : les commentaires du rapport sont figés. "
    "Retirez la publication pour les modifier."
)


def commentaires_par_section(campagne: Campagne) -> dict[str, CommentaireRapport]:
    """{section code: commentary} of the campaign (one query)."""
    return {c.section: c for c in CommentaireRapport.objects.filter(campagne=campagne).select_related("auteur")}


def textes_par_section(campagne: Campagne) -> dict[str, str]:
    """{section code: text}, what the report templates show (`commentaires.<section>`)."""
    return {section: c.texte for section, c in commentaires_par_section(campagne).items()}


def commentaires_enregistrer(*, par, campagne: Campagne, textes: dict[str, str]) -> list[str]:
    """Write the sections' texts (`textes`: {section: text}; empty or blank removes it). Returns the sections
    changed. All or nothing: an unknown section or a text too long writes nothing."""
    if not peut(par, "rapport.commenter", campagne):
        raise PermissionDenied("Vous ne pouvez pas commenter le rapport de cette campagne.")
    erreurs = {}
    sections = dict(CommentaireRapport.Section.choices)
    for section, texte in textes.items():
        if section not in sections:
            erreurs[section] = f"Section inconnue : {section}."
        elif len((texte or "").strip()) > (limite := LONGUEURS.get(section, LONGUEUR_MAX)):
            erreurs[section] = f"{sections[section]} : {limite} caractères au plus."
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic(), acteur(par):
        campagne = Campagne.objects.select_for_update().get(pk=campagne.pk)
        if campagne.publiee:
            raise ValidationError(MESSAGE_FIGE.format(annee=campagne.annee))
        existants = commentaires_par_section(campagne)
        changes = []
        for section, texte in textes.items():
            texte = (texte or "").strip().replace("\r\n", "\n")
            existant = existants.get(section)
            if not texte:
                if existant is not None:
                    existant.delete()
                    changes.append(section)
            elif existant is None:
                CommentaireRapport.objects.create(campagne=campagne, section=section, texte=texte, auteur=par)
                changes.append(section)
            elif existant.texte != texte:
                existant.texte, existant.auteur = texte, par
                existant.save(update_fields=["texte", "auteur", "modifie_le"])
                changes.append(section)
        if changes:
            # The campaign's date of change is part of every cached result's version (`selectors.etat`): the
            # synthesis page shows the new texts at once.
            Campagne.objects.filter(pk=campagne.pk).update(modifie_le=horloge.maintenant())
    return changes
