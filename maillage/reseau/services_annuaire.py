"""Writes of the annuaire: edit a person (the version their form read), oppose them to mailings, delete an entry
without e-mail, mailing lists, and the write of an import (validated by `echanges_annuaire`).

Creation goes through `services.personne_creer`. Keyword-only arguments; the permission first; everything checked
before writing, French `ValidationError` keyed by field; one transaction, audited through `acteur` (imports:
`journaliser_en_masse`, each entry naming its `territoires.Chargement` row and its author)."""

import copy
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.comptes.models import Organisation
from maillage.core.audit import acteur, ecart, entrees_anonymiser, journaliser_en_masse, sans_journal_automatique
from maillage.core.horloge import maintenant
from maillage.core.imports import ErreurLigne, ImportRefuse
from maillage.core.versions import verifier_version
from maillage.territoires.models import EPCI, Chargement
from maillage.territoires.services import chargement_journaliser

from .models import BaseLegale, Categorie, ListeDiffusion, Personne
from .validation import LONGUEUR_NOM, exiger_droit, lever_erreurs, valider_choix, valider_email, valider_texte

CHAMPS_PERSONNELS = ("nom", "prenom", "fonction", "email", "telephone", "consentement_objet")
COMMANDE_IMPORT = "importer_annuaire"


def _doublon(departement_id: str, email: str, *, sauf: int | None = None) -> Personne | None:
    qs = Personne.objects.filter(departement_id=departement_id, email=email)
    if sauf is not None:
        qs = qs.exclude(pk=sauf)
    return qs.first()


def message_doublon(existante: Personne) -> str:
    return f"Cette adresse est déjà celle de {existante.nom_complet} dans l'annuaire (fiche n° {existante.pk})."


def personne_modifier(*, par, personne: Personne, version, **champs) -> Personne:
    """Change a person's entry (every field of the form); refused when the entry changed since the form was read."""
    exiger_droit(par, "annuaire.gerer", personne)
    dep = personne.departement_id
    erreurs: dict[str, str] = {}
    propre = {
        "nom": valider_texte(erreurs, "nom", champs.get("nom"), limite=LONGUEUR_NOM, obligatoire="Indiquez le nom."),
        "prenom": valider_texte(erreurs, "prenom", champs.get("prenom", ""), limite=LONGUEUR_NOM),
        "fonction": valider_texte(erreurs, "fonction", champs.get("fonction", ""), limite=200),
        "telephone": valider_texte(erreurs, "telephone", champs.get("telephone", ""), limite=30),
        "email": valider_email(erreurs, "email", champs.get("email", ""), obligatoire=False),
        "consentement_objet": valider_texte(erreurs, "consentement_objet", champs.get("consentement_objet", ""),
                                            limite=250),
        "categorie": valider_choix(erreurs, "categorie", champs.get("categorie"), Categorie.choices,
                            message="Choisissez une catégorie."),
        "base_legale": valider_choix(erreurs, "base_legale", champs.get("base_legale"), BaseLegale.choices,
                              message="Choisissez la base légale du contact."),
    }  # fmt: skip
    propre["consentement_le"] = champs.get("consentement_le")
    if propre["base_legale"] == BaseLegale.CONSENTEMENT and propre["consentement_le"] is None:
        erreurs["consentement_le"] = "Indiquez la date du consentement (base légale : consentement)."
    organisation, commune = champs.get("organisation"), champs.get("commune")
    if organisation is not None and organisation.departement_id != dep:
        erreurs["organisation"] = "Choisissez une organisation du département."
    if commune is not None and commune.departement_id != dep:
        erreurs["commune"] = "Choisissez une commune du département."
    propre["organisation"], propre["commune"] = organisation, commune
    if propre["email"] and "email" not in erreurs:
        existante = _doublon(dep, propre["email"], sauf=personne.pk)
        if existante is not None:
            erreurs["email"] = message_doublon(existante)
    oppose = champs.get("oppose")
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        verifier_version(personne, version, nom="cette fiche")
        for champ, valeur in propre.items():
            setattr(personne, champ, valeur)
        if oppose is not None:
            personne.opposition_le = (personne.opposition_le or maintenant()) if oppose else None
        personne.save()
    return personne


def personne_opposer(*, par, personne: Personne, oppose: bool = True) -> Personne:
    """Record (or lift) the person's objection to the network's mailings: no more invitations nor list exports."""
    exiger_droit(par, "annuaire.gerer", personne)
    with transaction.atomic(), acteur(par):
        personne = Personne.objects.select_for_update().get(pk=personne.pk)
        if oppose and personne.opposition_le is None:
            personne.opposition_le = maintenant()
            personne.save(update_fields=["opposition_le", "modifie_le"])
        elif not oppose and personne.opposition_le is not None:
            personne.opposition_le = None
            personne.save(update_fields=["opposition_le", "modifie_le"])
    return personne


def personne_supprimer(*, par, personne: Personne) -> None:
    """Erase an entry without e-mail (those with one go through the personal-data registry, which finds all the
    person's data by e-mail): the row goes, its audit entries keep who changed what and when, not the values."""
    exiger_droit(par, "annuaire.gerer", personne)
    if personne.email:
        raise ValidationError("Cette personne a une adresse e-mail : effacez ses données par la page dédiée.")
    with transaction.atomic(), sans_journal_automatique():
        pk = personne.pk
        personne.delete()
        entrees_anonymiser(Personne, [pk], CHAMPS_PERSONNELS)


# --- Mailing lists ----------------------------------------------------------------------------------------------


def _valider_liste(departement, donnees: dict, *, sauf: int | None = None) -> dict:
    erreurs: dict[str, str] = {}
    propre = {
        "nom": valider_texte(erreurs, "nom", donnees.get("nom"), limite=150, obligatoire="Donnez un nom à la liste."),
        "description": valider_texte(erreurs, "description", donnees.get("description", ""), limite=5000),
    }
    categories = list(dict.fromkeys(donnees.get("categories") or []))
    if any(c not in Categorie.values for c in categories):
        erreurs["categories"] = "Choisissez des catégories de la liste."
    propre["categories"] = categories
    communes = list(donnees.get("communes") or [])
    if any(c.departement_id != departement.pk for c in communes):
        erreurs["communes"] = "Choisissez des communes du département."
    epci = list(donnees.get("epci") or [])
    if epci and EPCI.objects.filter(pk__in=[e.pk for e in epci]).exclude(communes__departement=departement).exists():
        erreurs["epci"] = "Choisissez des EPCI du département."
    personnes = list(donnees.get("personnes") or [])
    if any(p.departement_id != departement.pk for p in personnes):
        erreurs["personnes"] = "Choisissez des personnes de l'annuaire du département."
    if propre["nom"] and "nom" not in erreurs:
        # Compared in Python: SQLite's iexact folds ASCII only (« Élus » / « élus »).
        noms = ListeDiffusion.objects.filter(departement=departement).exclude(pk=sauf).values_list("nom", flat=True)
        if propre["nom"].casefold() in {nom.casefold() for nom in noms}:
            erreurs["nom"] = "Une liste de ce nom existe déjà dans le département."
    lever_erreurs(erreurs)
    return {**propre, "m2m": {"communes": communes, "epci": epci, "personnes": personnes}}


def liste_creer(*, par, departement, **donnees) -> ListeDiffusion:
    exiger_droit(par, "annuaire.gerer", departement)
    propre = _valider_liste(departement, donnees)
    m2m = propre.pop("m2m")
    with transaction.atomic(), acteur(par):
        liste = ListeDiffusion.objects.create(departement=departement, **propre)
        for champ, valeurs in m2m.items():
            getattr(liste, champ).set(valeurs)
    return liste


def liste_modifier(*, par, liste: ListeDiffusion, version, **donnees) -> ListeDiffusion:
    exiger_droit(par, "annuaire.gerer", liste)
    propre = _valider_liste(liste.departement, donnees, sauf=liste.pk)
    m2m = propre.pop("m2m")
    with transaction.atomic(), acteur(par):
        verifier_version(liste, version, nom="cette liste")
        for champ, valeur in propre.items():
            setattr(liste, champ, valeur)
        liste.save()
        for champ, valeurs in m2m.items():
            getattr(liste, champ).set(valeurs)
    return liste


# --- Import -----------------------------------------------------------------------------------------------------


def annuaire_importer(*, par, departement, contenu: bytes, nom_fichier: str, appliquer: bool, auteur: str = ""):
    """Validate a whole file (`echanges_annuaire.valider_import`) and, when `appliquer` and no row is wrong, write
    it in one transaction. Raises ImportRefuse (every error with its line, column and reason) — nothing written
    but, when applying, the refused run's journal row. Returns the summary with the per-row plan.

    `par=None` is the command line (an operator of the server; `auteur` names them)."""
    from . import echanges_annuaire

    if par is not None:
        exiger_droit(par, "annuaire.gerer", departement)
    debut = timezone.now()
    resume = echanges_annuaire.valider_import(
        contenu=contenu, nom_fichier=nom_fichier, departement=departement, journaliser_refus=appliquer,
        auteur=auteur or (par.email if par is not None else ""), debut=debut,
    )  # fmt: skip
    if not appliquer:
        return resume
    auteur = auteur or (par.email if par is not None else "")
    try:
        return _ecrire_import(par=par, departement=departement, resume=resume, nom_fichier=nom_fichier,
                              auteur=auteur, debut=debut)  # fmt: skip
    except IntegrityError:
        # Someone added the same e-mail between the check and the write: nothing was written.
        raise ImportRefuse(
            "Fichier refusé : l'annuaire a changé pendant l'import (fiche ajoutée ou effacée entre-temps), rien "
            "n'a été importé : déposez le fichier à nouveau.",
            erreurs=[ErreurLigne("l'annuaire a changé pendant l'import : recommencez.").en_dict()],
        ) from None


def _ecrire_import(*, par, departement, resume: dict, nom_fichier: str, auteur: str, debut) -> dict:
    with transaction.atomic(), sans_journal_automatique():
        organisations = {}
        nouvelles = []
        for cle_org, (nom, type_org) in resume["organisations_a_creer"].items():
            organisation = Organisation.objects.create(nom=nom, type=type_org, departement=departement)
            organisations[cle_org] = organisation
            nouvelles.append(organisation)
        existantes = Personne.objects.in_bulk([e["id"] for e in resume["plan"] if e["id"]])
        crees, modifiees = [], []
        for etape in resume["plan"]:
            valeurs = dict(etape["valeurs"])
            if etape["organisation_a_creer"]:
                valeurs["organisation_id"] = organisations[etape["organisation_a_creer"]].pk
            if etape["action"] == "creer":
                personne = Personne.objects.create(departement=departement, origine=Personne.Origine.IMPORT, **valeurs)
                etape["id"] = personne.pk
                crees.append(personne)
            elif etape["action"] == "modifier":
                personne = existantes.get(etape["id"])
                if personne is None:  # deleted since the check: refused as a change of the annuaire
                    raise IntegrityError(f"fiche {etape['id']} supprimée pendant l'import")
                avant = copy.copy(personne)
                for champ in etape["champs"]:
                    setattr(personne, champ, valeurs[champ])
                personne.save(update_fields=[*etape["champs"], "modifie_le"])
                modifiees.append((personne, ecart(avant, personne, etape["champs"])))
        compteurs = resume["compteurs"]
        chargement = chargement_journaliser(
            commande=COMMANDE_IMPORT,
            fichier=nom_fichier[:500],
            empreinte=resume["empreinte"],
            parametres={"departement": departement.pk},
            statut=Chargement.Statut.REUSSI,
            resume={"compteurs": compteurs, "organisations_creees": [o.pk for o in nouvelles],
                    "crees": [p.pk for p in crees], "modifies": [p.pk for p, _ in modifiees]},
            auteur=auteur[:200],
            debut=debut,
            fin=timezone.now(),
        )  # fmt: skip
        trace = partial(
            journaliser_en_masse, par=par, chargement_id=chargement.pk, commande=COMMANDE_IMPORT,
            fichier=nom_fichier, auteur=auteur,
        )  # fmt: skip
        trace(nouvelles, action="creer")
        trace(crees, action="creer")
        trace([p for p, _ in modifiees], action="modifier", changements=[c for _, c in modifiees])
    resume["applique"] = True
    resume["chargement"] = chargement.pk
    return resume
