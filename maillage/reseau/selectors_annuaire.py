"""Reads of the annuaire: the people of a département with filters and counts, a person, the mailing lists and
their members (`membres_liste`, also used by the invitations)."""

from django.db.models import Count, Q, QuerySet

from maillage.comptes.models import Organisation
from maillage.territoires.models import EPCI, Commune

from .models import Categorie, ListeDiffusion, Personne


def personnes(departement, *, categorie="", type_organisation="", commune=None, epci=None, recherche="") -> QuerySet:
    """The département's people, filtered, with their organisation and commune (one query per page)."""
    qs = Personne.objects.filter(departement=departement).select_related("organisation", "commune")
    if categorie:
        qs = qs.filter(categorie=categorie)
    if type_organisation:
        qs = qs.filter(organisation__type=type_organisation)
    if commune is not None:
        qs = qs.filter(commune=commune)
    if epci is not None:
        qs = qs.filter(commune__epci=epci)
    for mot in (recherche or "").split()[:5]:
        qs = qs.filter(
            Q(nom__icontains=mot) | Q(prenom__icontains=mot) | Q(organisation__nom__icontains=mot)
            | Q(email__icontains=mot) | Q(fonction__icontains=mot)
        )  # fmt: skip
    return qs.order_by("nom", "prenom", "pk")


def compteurs_categories(qs) -> list[tuple[str, str, int]]:
    """(code, label, count) of each category present in `qs`, in the categories' order (one query)."""
    nombres = dict(qs.order_by().values_list("categorie").annotate(n=Count("pk")))
    return [(code, libelle, nombres[code]) for code, libelle in Categorie.choices if nombres.get(code)]


def personne(pk: int) -> Personne:
    return Personne.objects.select_related("organisation", "commune", "departement").get(pk=pk)


def organisations(departement) -> QuerySet:
    return Organisation.objects.filter(departement=departement).order_by("nom")


def communes(departement) -> QuerySet:
    return Commune.objects.filter(departement=departement).only("code", "nom").order_by("nom")


def epci(departement) -> QuerySet:
    return EPCI.objects.filter(communes__departement=departement).distinct().order_by("nom")


def listes(departement) -> QuerySet:
    return ListeDiffusion.objects.filter(departement=departement).order_by("nom")


def liste(pk: int) -> ListeDiffusion:
    return ListeDiffusion.objects.select_related("departement").prefetch_related("communes", "epci").get(pk=pk)


def membres_liste(liste: ListeDiffusion) -> QuerySet[Personne]:
    """The people a mailing list reaches: those of its département matching its categories AND its territories
    (communes, or communes of its EPCI), plus the people added by hand. A list with neither category nor territory
    is only its hand-picked people. People who objected to mailings (`opposition_le`) are never members.
    Ordered by name, with organisation and commune selected."""
    communes_ = [c.pk for c in liste.communes.all()]
    epci_ = [e.pk for e in liste.epci.all()]
    selection = Q(pk__in=liste.personnes.values("pk"))
    if liste.categories or communes_ or epci_:
        criteres = Q()
        if liste.categories:
            criteres &= Q(categorie__in=liste.categories)
        if communes_ or epci_:
            criteres &= Q(commune__in=communes_) | Q(commune__epci__in=epci_)
        selection |= criteres
    return (
        Personne.objects.filter(departement_id=liste.departement_id, opposition_le__isnull=True)
        .filter(selection)
        .select_related("organisation", "commune")
        .order_by("nom", "prenom", "pk")
    )


def nombres_membres(departement, listes_: list[ListeDiffusion]) -> dict[int, int]:
    """{list pk: number of members} for the lists of one département, in three queries whatever their number
    (the same selection as `membres_liste`, computed in Python over the département's people). `listes_` must have
    `communes` and `epci` prefetched."""
    personnes_ = list(
        Personne.objects.filter(departement=departement, opposition_le__isnull=True).values_list(
            "pk", "categorie", "commune_id", "commune__epci_id"
        )
    )
    a_la_main: dict[int, set[int]] = {}
    lien = ListeDiffusion.personnes.through
    for liste_id, personne_id in lien.objects.filter(listediffusion__in=[lst.pk for lst in listes_]).values_list(
        "listediffusion_id", "personne_id"
    ):
        a_la_main.setdefault(liste_id, set()).add(personne_id)
    nombres = {}
    for liste_ in listes_:
        communes_ = {c.pk for c in liste_.communes.all()}
        epci_ = {e.pk for e in liste_.epci.all()}
        categories = set(liste_.categories)
        criteres = bool(categories or communes_ or epci_)
        main = a_la_main.get(liste_.pk, set())
        nombres[liste_.pk] = sum(
            1
            for pk, categorie, commune, epci_commune in personnes_
            if pk in main
            or (
                criteres
                and (not categories or categorie in categories)
                and (
                    not (communes_ or epci_)
                    or commune in communes_
                    or (epci_commune is not None and epci_commune in epci_)
                )
            )
        )
    return nombres
