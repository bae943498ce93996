"""Personal data of the schéma directeur (registered with maillage.core.donnees_personnelles, loaded by
SchemaConfig.ready()): the comments a person wrote on fiches actions (with their name as it was), the values they
typed, the fiches they keep current (referent), the governance bodies they sit on and the meetings they attended.
See docs/donnees-personnelles.md.

Erasure keeps the rows (a comment, an attendance are part of the schéma's history) and drops what names the
person: the name copied on their comments; the account itself is anonymised or deleted by the accounts' source."""

from maillage.comptes.models import Utilisateur
from maillage.core import donnees_personnelles as registre

from .models import CommentaireAction, FicheAction, Instance, Reunion, ValeurIndicateur


def _compte(email):
    return Utilisateur.objects.filter(email__iexact=email).first()


def _exporter(email) -> list[dict]:
    compte = _compte(email)
    if compte is None:
        return []
    donnees = [
        {
            "type": "commentaire d'une fiche action",
            "fiche": str(c.fiche),
            "le": c.le.isoformat(),
            "texte": c.texte,
            "auteur_affiche": c.auteur_libelle,
        }
        for c in CommentaireAction.objects.filter(auteur=compte).select_related("fiche")
    ]
    donnees += [
        {"type": "valeur d'indicateur saisie", "indicateur": str(v.indicateur), "date": v.date.isoformat(),
         "valeur": float(v.valeur), "commentaire": v.commentaire}
        for v in ValeurIndicateur.objects.filter(auteur=compte).select_related("indicateur")
    ]  # fmt: skip
    donnees += [
        {"type": "référent d'une fiche action", "fiche": str(f)} for f in FicheAction.objects.filter(referents=compte)
    ]
    donnees += [{"type": "membre d'une instance", "instance": str(i)} for i in Instance.objects.filter(membres=compte)]
    donnees += [
        {"type": "présent à une réunion", "reunion": str(r)}
        for r in Reunion.objects.filter(presents=compte).select_related("instance")
    ]
    return donnees


def _departements(email) -> set[str]:
    compte = _compte(email)
    if compte is None:
        return set()
    return set(
        CommentaireAction.objects.filter(auteur=compte).values_list("fiche__schema__departement_id", flat=True)
    ) | set(Instance.objects.filter(membres=compte).values_list("schema__departement_id", flat=True))


def _effacer(email) -> str:
    compte = _compte(email)
    if compte is None:
        return "aucune donnée"
    nombre = (
        CommentaireAction.objects.filter(auteur=compte)
        .exclude(auteur_libelle=registre.EFFACE)
        .update(auteur_libelle=registre.EFFACE)
    )
    return f"nom retiré de {nombre} commentaire(s) de fiches actions" if nombre else "aucune donnée"


registre.source(
    "schema",
    libelle="Schéma directeur : commentaires, valeurs saisies, fiches suivies, instances et réunions",
    exporter=_exporter,
    departements=_departements,
    effacer=_effacer,
)
