"""Writes of budgets: validated entirely before anything is written, in one transaction."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core.permissions import exiger
from maillage.core.versions import verifier_version
from maillage.structures.models import Agrement, Structure
from maillage.structures.selectors import STATUTS_ACTIFS

from .models import Budget, Financeur, LigneProduit, TypePS

ANNEE_MIN, ANNEE_MAX = 2000, 2100
# DecimalField(max_digits=12, decimal_places=2).
MONTANT_MAX = Decimal("9999999999.99")
# Label of each charge, the subject of its messages ("Les charges de pilotage ne peuvent pas être négatives").
CHAMPS_CHARGES = {
    "charges_totales": "Le total des charges",
    "charges_pilotage": "Les charges de pilotage",
    "charges_logistique": "Les charges de logistique",
    "charges_referent_familles": "Les charges du ou de la référent·e familles",
}


def _accord(libelle: str) -> dict:
    """The words of the messages agreed with `libelle`: "Le total…" (masculine singular), "Les charges…"."""
    if libelle.startswith("Les "):
        return {"est": "ne sont", "un_montant": "des montants valides", "negatif": "ne peuvent pas être négatives",
                "depasse": "dépassent", "a": "ont"}  # fmt: skip
    return {"est": "n'est", "un_montant": "un montant valide", "negatif": "ne peut pas être négatif",
            "depasse": "dépasse", "a": "a"}  # fmt: skip


def _montant(valeur, libelle: str) -> tuple[Decimal | None, str | None]:
    if valeur is None or valeur == "":
        return Decimal(0), None
    mots = _accord(libelle)
    invalide = f"{libelle} {mots['est']} pas {mots['un_montant']}."
    try:
        montant = Decimal(str(valeur).replace(",", ".").replace("\u202f", "").replace("\xa0", "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None, invalide
    if not montant.is_finite():
        return None, invalide
    if montant < 0:
        return None, f"{libelle} {mots['negatif']}."
    if montant > MONTANT_MAX:
        return None, f"{libelle} {mots['depasse']} le montant maximal accepté."
    if montant != montant.quantize(Decimal("0.01")):
        return None, f"{libelle} {mots['a']} plus de deux décimales."
    return montant, None


def budget_enregistrer(
    *,
    par,
    structure: Structure,
    annee: int,
    nature: str,
    charges_totales,
    charges_pilotage=0,
    charges_logistique=0,
    charges_referent_familles=0,
    produits: dict,
    commentaire: str = "",
    version: int | None = None,
) -> Budget:
    """Create or replace one structure-year-nature budget with its produits.

    `produits`: {financeur: montant} for every funder except the Caf's PS, and {"caf_ps": {code TypePS:
    montant}} for the PS. Empty or zero amounts write no line. Errors are collected by field
    ("charges_totales", "produit_<financeur>", "ps_<code>", "__all__") and nothing is written.

    `version` is the one the form read (0: no budget yet); refused with ConflitVersion when the budget or its
    produits changed since (None only for scripts). Any change of a produit raises the budget's version."""
    exiger(par, "structure.gerer", structure)
    erreurs: dict[str, list[str]] = {}

    def erreur(cle, message):
        erreurs.setdefault(cle, []).append(message)

    if not isinstance(annee, int) or not ANNEE_MIN <= annee <= ANNEE_MAX:
        erreur("annee", f"L'année doit être comprise entre {ANNEE_MIN} et {ANNEE_MAX}.")
    if nature not in Budget.Nature.values:
        erreur("nature", "La nature du budget doit être « prévisionnel » ou « réalisé ».")

    charges = {}
    for champ, libelle, valeur in (
        ("charges_totales", CHAMPS_CHARGES["charges_totales"], charges_totales),
        ("charges_pilotage", CHAMPS_CHARGES["charges_pilotage"], charges_pilotage),
        ("charges_logistique", CHAMPS_CHARGES["charges_logistique"], charges_logistique),
        ("charges_referent_familles", CHAMPS_CHARGES["charges_referent_familles"], charges_referent_familles),
    ):
        montant, message = _montant(valeur, libelle)
        if message:
            erreur(champ, message)
        charges[champ] = montant
    if all(v is not None for v in charges.values()):
        lignes_ps = charges["charges_pilotage"] + charges["charges_logistique"] + charges["charges_referent_familles"]
        if lignes_ps > charges["charges_totales"]:
            erreur(
                "charges_totales",
                "Les charges de pilotage, de logistique et du ou de la référent·e familles ne peuvent pas dépasser "
                "le total des charges.",
            )

    lignes: list[tuple[str, str | None, Decimal]] = []
    produits = dict(produits or {})
    ps = produits.pop(Financeur.CAF_PS, None) or {}
    if not isinstance(ps, dict):
        erreur("__all__", "Les prestations de service sont attendues par type de prestation.")
        ps = {}
    libelles = dict(Financeur.choices)
    for financeur, valeur in produits.items():
        if financeur not in libelles:
            erreur("__all__", f"Financeur inconnu : « {financeur} ».")
            continue
        montant, message = _montant(valeur, f"Le montant « {libelles[financeur]} »")
        if message:
            erreur(f"produit_{financeur}", message)
        elif montant:
            lignes.append((financeur, None, montant))

    if ps:
        types = {t.code: t for t in TypePS.objects.filter(code__in=list(ps))}
        annee_ok = isinstance(annee, int) and ANNEE_MIN <= annee <= ANNEE_MAX
        agrements = set()
        if annee_ok:
            agrements = set(
                Agrement.objects.filter(
                    structure=structure,
                    statut__in=STATUTS_ACTIFS,
                    debut__lte=datetime.date(annee, 12, 31),
                    fin__gte=datetime.date(annee, 1, 1),
                ).values_list("type", flat=True)
            )
        for code, valeur in ps.items():
            type_ps = types.get(code)
            cle = f"ps_{code}"
            if type_ps is None:
                erreur("__all__", f"Prestation de service inconnue : « {code} ».")
                continue
            montant, message = _montant(valeur, f"Le montant de la prestation « {type_ps.libelle} »")
            if message:
                erreur(cle, message)
                continue
            if not montant:
                continue
            if type_ps.type_structure != structure.type:
                erreur(
                    cle,
                    f"La prestation « {type_ps.libelle} » ne concerne pas les structures de type "
                    f"« {structure.get_type_display().lower()} ».",
                )
            elif annee_ok and not (
                type_ps.premiere_annee <= annee and (type_ps.derniere_annee is None or annee <= type_ps.derniere_annee)
            ):
                erreur(cle, f"La prestation « {type_ps.libelle} » n'existe pas en {annee}.")
            elif annee_ok and type_ps.agrement_requis == "acf" and "acf" not in agrements:
                erreur(
                    cle,
                    f"La prestation « {type_ps.libelle} » suppose un agrément « animation collective familles » "
                    f"couvrant {annee} : la structure n'en a pas.",
                )
            else:
                lignes.append((Financeur.CAF_PS, code, montant))

    if erreurs:
        raise ValidationError(erreurs)

    with transaction.atomic():
        budget, cree = Budget.objects.select_for_update().get_or_create(
            structure=structure, annee=annee, nature=nature, defaults={**charges, "commentaire": commentaire}
        )
        if not cree and version is not None:
            verifier_version(budget, version, nom="ce budget")
        modifie = False
        for champ, valeur in [*charges.items(), ("commentaire", commentaire)]:
            if getattr(budget, champ) != valeur:
                setattr(budget, champ, valeur)
                modifie = True
        existantes = {(p.financeur, p.type_ps_id): p for p in budget.produits.all()}
        voulues = {(financeur, code): montant for financeur, code, montant in lignes}
        for cle, ligne in existantes.items():
            if cle not in voulues:
                ligne.delete()
                modifie = True
            elif ligne.montant != voulues[cle]:
                ligne.montant = voulues[cle]
                ligne.save(update_fields=["montant"])
                modifie = True
        for (financeur, code), montant in voulues.items():
            if (financeur, code) not in existantes:
                LigneProduit.objects.create(budget=budget, financeur=financeur, type_ps_id=code, montant=montant)
                modifie = True
        if modifie and not cree:
            # The produits are part of the budget's form: their change makes a new version too.
            budget.save()
    return budget
