"""SIRET checks, without Django: 14 digits and the Luhn key (La Poste's establishments excepted).

Shared by the structures and the accounts' organisations."""

SIREN_LA_POSTE = "356000000"


def normaliser(valeur: str) -> str:
    return "".join(valeur.split())


def luhn_valide(chiffres: str) -> bool:
    total = 0
    for rang, caractere in enumerate(reversed(chiffres)):
        chiffre = int(caractere)
        if rang % 2 == 1:
            chiffre *= 2
            if chiffre > 9:
                chiffre -= 9
        total += chiffre
    return total % 10 == 0


def erreur_siret(valeur: str) -> str | None:
    """None when the SIRET is valid, otherwise the reason in French."""
    siret = normaliser(valeur)
    if len(siret) != 14 or not siret.isdigit():
        return "Le SIRET doit comporter 14 chiffres."
    if siret.startswith(SIREN_LA_POSTE):
        # La Poste numbers its establishments sequentially: the sum of the digits is a multiple of 5.
        if sum(int(c) for c in siret) % 5 == 0:
            return None
        return "Ce SIRET de La Poste n'est pas valide (clé de contrôle)."
    if not luhn_valide(siret):
        return "Ce SIRET n'est pas valide : sa clé de contrôle (Luhn) ne correspond pas."
    return None
