"""Reads of the door (check-in), the feuille d'émargement, the attendance statistics and the satisfaction survey.

The shared attendance counts are `selectors.statistiques`; this module adds what the pages of this area show
around them (search at the door, the signing sheet's rows, the survey's results)."""

from collections import Counter

from django.db.models import Count, Q

from maillage.core.formats import cle_texte

from . import selectors
from .models import Evenement, Inscription, ReponseSatisfaction

LIMITE_RESULTATS = 50
_CONFIRMEE = Inscription.Statut.CONFIRMEE


def evenement(pk) -> Evenement | None:
    return Evenement.objects.select_related("departement", "lieu_commune").filter(pk=pk).first()


def compteur(evenement: Evenement) -> dict:
    """« présents / inscrits » at the door: confirmed registrations and those of them present. One query."""
    return Inscription.objects.filter(evenement=evenement, statut=_CONFIRMEE).aggregate(
        inscrits=Count("pk"), presents=Count("pk", filter=Q(present_le__isnull=False))
    )


def recherche(evenement: Evenement, q: str, *, limite: int = LIMITE_RESULTATS) -> tuple[list[Inscription], int]:
    """Registrations of `evenement` whose name, first name, organisation, e-mail or code contain every word of `q`
    (case-insensitive); the exact code first. Returns (the first `limite` rows sorted by name, total found)."""
    qs = Inscription.objects.filter(evenement=evenement).only(
        "pk", "nom", "prenom", "organisation_nom", "categorie", "statut", "present_le", "code", "origine",
        "evenement_id", "version",
    )  # fmt: skip
    mots = (q or "").split()[:5]
    for mot in mots:
        mot = mot[:100]
        qs = qs.filter(
            Q(nom__icontains=mot) | Q(prenom__icontains=mot) | Q(organisation_nom__icontains=mot)
            | Q(email__icontains=mot) | Q(code=mot.upper())
        )  # fmt: skip
    lignes = list(qs.order_by("nom", "prenom", "pk")[: limite + 1])
    total = len(lignes) if len(lignes) <= limite else qs.count()
    if len(mots) == 1:
        code = mots[0].upper()
        lignes.sort(key=lambda i: i.code != code)  # stable: the rest stays sorted by name
    return lignes[:limite], total


def inscription(evenement: Evenement, pk) -> Inscription | None:
    return Inscription.objects.filter(evenement=evenement, pk=pk).first()


def inscrits_emargement(evenement: Evenement) -> list[Inscription]:
    """The confirmed registrations, sorted by name the French way (accents ignored), for the signing sheet."""
    lignes = list(
        Inscription.objects.filter(evenement=evenement, statut=_CONFIRMEE).only(
            "nom", "prenom", "organisation_nom", "categorie", "evenement_id"
        )
    )
    lignes.sort(key=lambda i: (cle_texte(i.nom), cle_texte(i.prenom), i.pk))
    return lignes


def statistiques(evenement: Evenement) -> dict:
    """`selectors.statistiques` plus the walk-ins among the present and the presence rate of each part."""
    stats = selectors.statistiques(evenement)
    for cle in ("par_categorie", "par_type_organisation", "par_commune"):
        for part in stats[cle]:
            part["taux"] = round(100 * part["presents"] / part["inscrits"], 1) if part["inscrits"] else None
    return stats


# --- Satisfaction survey ---------------------------------------------------------------------------------------


def inscription_par_jeton(jeton: str) -> Inscription | None:
    if not jeton or len(jeton) > 64:
        return None
    return Inscription.objects.select_related("evenement", "evenement__departement").filter(jeton=jeton).first()


def resultats_enquete(enquete) -> dict:
    """Per question: note → count, average and distribution 1-5; choix → distribution; texte → the answers.
    Two queries whatever the number of answers."""
    reponses = list(ReponseSatisfaction.objects.filter(enquete=enquete).order_by("cree_le", "pk").values_list(
        "reponses", flat=True))  # fmt: skip
    questions = []
    for question in enquete.questions or []:
        code, type_ = question.get("code"), question.get("type")
        valeurs = [r.get(code) for r in reponses if isinstance(r, dict) and r.get(code) not in (None, "")]
        resultat = {"question": question, "nombre": len(valeurs)}
        if type_ == "note":
            notes = [v for v in valeurs if isinstance(v, int) and not isinstance(v, bool)]
            compte = Counter(notes)
            resultat["moyenne"] = round(sum(notes) / len(notes), 1) if notes else None
            resultat["repartition"] = [(n, compte.get(n, 0)) for n in range(1, 6)]
        elif type_ == "choix":
            compte = Counter(str(v) for v in valeurs)
            resultat["repartition"] = [(c, compte.get(c, 0)) for c in question.get("choix", [])]
        else:
            resultat["textes"] = [str(v) for v in valeurs]
        questions.append(resultat)
    return {"nombre": len(reponses), "questions": questions}


def presents_sans_reponse(enquete) -> int:
    return Inscription.objects.filter(
        evenement_id=enquete.evenement_id, present_le__isnull=False, reponse_satisfaction__isnull=True
    ).count()


def lien_enquete(inscription: Inscription) -> str:
    """The path of a registrant's survey page (their secret token is the access): what an `Envoi` of nature
    `enquete` puts in each e-mail (prefix it with the site's address)."""
    from django.urls import reverse

    return reverse("reseau:enquete_repondre", args=[inscription.jeton])
