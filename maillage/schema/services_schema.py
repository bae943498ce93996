"""Writes of a schéma and its structure: create, edit (version lock), dated status transitions (the diagnostic's
figures frozen at adoption), copy into the next schéma; ordered enjeux, directions de progrès, axes and
orientations; fiches actions and their milestones.

Keyword-only arguments, permission first (`schema.gerer`), everything validated before writing (French messages
keyed by field), one transaction, audit through `acteur`. The status and progress of a fiche change only through
`services.fiche_mettre_a_jour`."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from maillage.core.audit import acteur, journaliser_en_masse
from maillage.core.horloge import aujourdhui
from maillage.core.permissions import exiger
from maillage.core.versions import verifier_version

from . import selectors_schema
from .models import (
    Axe,
    DirectionProgres,
    Enjeu,
    FicheAction,
    Indicateur,
    Jalon,
    Orientation,
    Schema,
    TransitionSchema,
)

Statut = Schema.Statut
ANNEE_MIN, ANNEE_MAX, DUREE_MAX = 2000, 2100, 10
LONGUEUR_TEXTE = 20_000
NUMERO_MAX = 999
# The one order of a schéma's life; each step goes to the next one only.
SUIVANT = {
    Statut.EN_ELABORATION: Statut.ADOPTE,
    Statut.ADOPTE: Statut.EN_COURS,
    Statut.EN_COURS: Statut.EVALUE,
    Statut.EVALUE: Statut.CLOS,
}
NATURES = {"enjeu": Enjeu, "direction": DirectionProgres, "axe": Axe, "orientation": Orientation}
LIBELLES_NATURES = {
    "enjeu": ("enjeu", "enjeux"),
    "direction": ("direction de progrès", "directions de progrès"),
    "axe": ("axe", "axes"),
    "orientation": ("orientation", "orientations"),
}


# --- Shared checks ------------------------------------------------------------------------------------------------


def _texte(donnees: dict, champ: str, erreurs: dict, *, requis: str = "", limite: int = LONGUEUR_TEXTE) -> str:
    valeur = donnees.get(champ, "")
    valeur = valeur.strip() if isinstance(valeur, str) else ""
    if requis and not valeur:
        erreurs[champ] = requis
    elif len(valeur) > limite:
        erreurs[champ] = f"Ce texte ne doit pas dépasser {limite} caractères."
    return valeur


def _annee(donnees: dict, champ: str, erreurs: dict) -> int | None:
    valeur = donnees.get(champ)
    try:
        annee = int(valeur)
    except (TypeError, ValueError):
        erreurs[champ] = "Indiquez une année sur quatre chiffres."
        return None
    if not ANNEE_MIN <= annee <= ANNEE_MAX:
        erreurs[champ] = f"L'année doit être comprise entre {ANNEE_MIN} et {ANNEE_MAX}."
        return None
    return annee


def _periode(donnees: dict, erreurs: dict) -> tuple[int | None, int | None]:
    debut, fin = _annee(donnees, "debut", erreurs), _annee(donnees, "fin", erreurs)
    if debut is not None and fin is not None:
        if fin < debut:
            erreurs["fin"] = "La dernière année ne peut pas précéder la première."
        elif fin - debut >= DUREE_MAX:
            erreurs["fin"] = f"Un schéma couvre au plus {DUREE_MAX} ans."
    return debut, fin


def _dans_le_departement(objets, autorises, champ: str, erreurs: dict, message: str) -> list:
    """`objets` (a list, or one object or None) must all be among `autorises` (a queryset of the département)."""
    liste = [o for o in (objets if isinstance(objets, list | tuple | set) else [objets]) if o is not None]
    if not liste:
        return []
    permis = set(autorises.filter(pk__in=[o.pk for o in liste]).values_list("pk", flat=True))
    if any(o.pk not in permis for o in liste):
        erreurs[champ] = message
    return liste


# --- The schéma ---------------------------------------------------------------------------------------------------

CHAMPS_SCHEMA = ("titre", "debut", "fin", "realise_par", "presentation", "resume_diagnostic")


def _valider_schema(code: str, donnees: dict) -> tuple[dict, list]:
    erreurs: dict = {}
    propres = {
        "titre": _texte(donnees, "titre", erreurs, requis="Donnez un titre au schéma.", limite=250),
        "realise_par": _texte(donnees, "realise_par", erreurs, limite=250),
        "presentation": _texte(donnees, "presentation", erreurs),
        "resume_diagnostic": _texte(donnees, "resume_diagnostic", erreurs),
    }
    propres["debut"], propres["fin"] = _periode(donnees, erreurs)
    signataires = _dans_le_departement(
        list(donnees.get("signataires") or []),
        selectors_schema.organisations_du_departement(code),
        "signataires",
        erreurs,
        "Les signataires sont des organisations actives du département.",
    )
    if erreurs:
        raise ValidationError(erreurs)
    return propres, signataires


def schema_creer(*, par, departement, donnees: dict) -> Schema:
    """A new schéma « en élaboration » of `departement` (a pilote in scope), its first dated status recorded."""
    exiger(par, "schema.gerer", departement)
    propres, signataires = _valider_schema(departement.code, donnees)
    with transaction.atomic(), acteur(par):
        schema = Schema.objects.create(departement=departement, statut=Statut.EN_ELABORATION, **propres)
        schema.signataires.set(signataires)
        TransitionSchema.objects.create(
            schema=schema, de="", vers=Statut.EN_ELABORATION, date=aujourdhui(), par=par, commentaire="Création"
        )
        return schema


def schema_modifier(*, par, schema: Schema, donnees: dict, version: int | None = None) -> Schema:
    """Edit a schéma's title, period, texts and signatories. Neither its status (see `schema_changer_statut`)
    nor the figures frozen at its adoption change here."""
    exiger(par, "schema.gerer", schema)
    propres, signataires = _valider_schema(schema.departement_id, donnees)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(schema, version, nom="ce schéma")
        for champ, valeur in propres.items():
            setattr(schema, champ, valeur)
        schema.save()
        if set(schema.signataires.values_list("pk", flat=True)) != {o.pk for o in signataires}:
            schema.signataires.set(signataires)
        return schema


def schema_changer_statut(
    *, par, schema: Schema, vers: str, date, commentaire: str = "", version: int | None = None
) -> Schema:
    """Move a schéma to the next status of its life, from `date` (not in the future, not before the last change).

    Adoption sets the adoption date and freezes the diagnostic's figures as of that date in `diagnostic_fige`:
    later changes of the data do not touch them (nothing else writes that field)."""
    exiger(par, "schema.gerer", schema)
    erreurs: dict = {}
    attendu = SUIVANT.get(schema.statut)
    if attendu is None:
        erreurs["vers"] = "Ce schéma est clos : son statut ne change plus."
    elif vers != attendu:
        erreurs["vers"] = (
            f"Le schéma est « {schema.get_statut_display()} » : il ne peut passer qu'à « {Statut(attendu).label} »."
        )
    if not isinstance(date, datetime.date):
        erreurs["date"] = "Indiquez la date d'effet (jj/mm/aaaa)."
    elif date > aujourdhui():
        erreurs["date"] = "La date d'effet ne peut pas être dans le futur."
    else:
        derniere = schema.transitions.aggregate(m=Max("date"))["m"]
        if derniere and date < derniere:
            erreurs["date"] = f"La date d'effet ne peut pas précéder le dernier changement ({derniere:%d/%m/%Y})."
    texte = commentaire.strip() if isinstance(commentaire, str) else ""
    if len(texte) > 2000:
        erreurs["commentaire"] = "Le commentaire ne doit pas dépasser 2000 caractères."
    if erreurs:
        raise ValidationError(erreurs)
    fige = selectors_schema.chiffres_diagnostic(schema.departement_id, date) if vers == Statut.ADOPTE else None
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(schema, version, nom="ce schéma")
        de = schema.statut
        schema.statut = vers
        champs = ["statut", "modifie_le"]
        if fige is not None:
            schema.date_adoption, schema.diagnostic_fige = date, fige
            champs += ["date_adoption", "diagnostic_fige"]
        schema.save(update_fields=champs)
        TransitionSchema.objects.create(schema=schema, de=de, vers=vers, date=date, par=par, commentaire=texte)
        return schema


def _decaler(jour: datetime.date | None, ans: int) -> datetime.date | None:
    if jour is None:
        return None
    try:
        return jour.replace(year=jour.year + ans)
    except ValueError:  # 29 February
        return jour.replace(year=jour.year + ans, day=28)


def schema_copier(*, par, source: Schema, titre: str, debut, fin) -> Schema:
    """The next schéma of the département, started from `source`: same enjeux, directions, axes, orientations,
    fiches actions (back to « à lancer », 0 %, milestones not done, no comment; their dates moved by the gap
    between the two periods) and indicator definitions (no value, no baseline, no target). Not copied: status,
    adoption and its frozen figures, signatories, documents, governance. `precedent` points to `source`."""
    exiger(par, "schema.voir", source)
    exiger(par, "schema.gerer", source)
    erreurs: dict = {}
    donnees = {"titre": titre, "debut": debut, "fin": fin}
    titre = _texte(donnees, "titre", erreurs, requis="Donnez un titre au nouveau schéma.", limite=250)
    debut, fin = _periode(donnees, erreurs)
    if erreurs:
        raise ValidationError(erreurs)
    ans = debut - source.debut
    with transaction.atomic(), acteur(par):
        copie = Schema.objects.create(
            departement_id=source.departement_id,
            titre=titre,
            debut=debut,
            fin=fin,
            statut=Statut.EN_ELABORATION,
            presentation=source.presentation,
            precedent=source,
        )
        TransitionSchema.objects.create(
            schema=copie,
            de="",
            vers=Statut.EN_ELABORATION,
            date=aujourdhui(),
            par=par,
            commentaire=f"Copie de « {source.titre} »",
        )
        for modele in (Enjeu, DirectionProgres):
            for element in modele.objects.filter(schema=source).order_by("numero"):
                modele.objects.create(schema=copie, numero=element.numero, titre=element.titre, texte=element.texte)
        axes, orientations, fiches = {}, {}, {}
        for axe in Axe.objects.filter(schema=source).order_by("numero"):
            axes[axe.pk] = Axe.objects.create(schema=copie, numero=axe.numero, titre=axe.titre, texte=axe.texte)
        for orientation in Orientation.objects.filter(axe__schema=source).order_by("axe__numero", "numero"):
            orientations[orientation.pk] = Orientation.objects.create(
                axe=axes[orientation.axe_id],
                numero=orientation.numero,
                titre=orientation.titre,
                texte=orientation.texte,
            )
        source_fiches = FicheAction.objects.filter(schema=source).prefetch_related(
            "partenaires", "referents", "communes", "epci", "regroupements", "qpv", "structures", "jalons"
        )
        for fiche in source_fiches:
            nouvelle = FicheAction.objects.create(
                schema=copie,
                orientation=orientations[fiche.orientation_id],
                numero=fiche.numero,
                titre=fiche.titre,
                objectifs=fiche.objectifs,
                description=fiche.description,
                pilote_id=fiche.pilote_id,
                publics=fiche.publics,
                debut=_decaler(fiche.debut, ans),
                fin=_decaler(fiche.fin, ans),
                statut=FicheAction.Statut.A_LANCER,
                avancement=0,
                poids=fiche.poids,
                budget=fiche.budget,
            )
            for relation in RELATIONS_FICHE:
                liees = list(getattr(fiche, relation).all())
                if liees:
                    getattr(nouvelle, relation).set(liees)
            for jalon in fiche.jalons.all():
                Jalon.objects.create(fiche=nouvelle, libelle=jalon.libelle, echeance=_decaler(jalon.echeance, ans))
            fiches[fiche.pk] = nouvelle
        for indicateur in Indicateur.objects.filter(schema=source).order_by("ordre", "code"):
            Indicateur.objects.create(
                schema=copie,
                axe=axes.get(indicateur.axe_id),
                fiche=fiches.get(indicateur.fiche_id),
                code=indicateur.code,
                libelle=indicateur.libelle,
                unite=indicateur.unite,
                sens=indicateur.sens,
                source=indicateur.source,
                definition=indicateur.definition,
                parametres=indicateur.parametres,
                ordre=indicateur.ordre,
            )
        return copie


# --- Ordered lists: enjeux, directions de progrès, axes, orientations ---------------------------------------------


def nature_de(element) -> str:
    for nature, modele in NATURES.items():
        if isinstance(element, modele):
            return nature
    raise ValueError(f"Élément inconnu : {element!r}")


def _freres(nature: str, *, schema: Schema | None = None, axe: Axe | None = None):
    if nature == "orientation":
        return Orientation.objects.filter(axe=axe)
    return NATURES[nature].objects.filter(schema=schema)


def _renumeroter(par, modele, ordre: list) -> None:
    """Number `ordre` (the siblings in their new order, a new unsaved one among them) 1..n.

    Two bulk passes (numbers are unique: a swap needs a free value in between), then one audit entry per element
    whose number really changed."""
    existants = [e for e in ordre if e.pk is not None]
    avant = {e.pk: e.numero for e in existants}
    pks = list(avant)
    if pks:
        modele.objects.filter(pk__in=pks).update(numero=F("numero") + 10_000)
    changes, changements = [], []
    for rang, element in enumerate(ordre, start=1):
        element.numero = rang
        if element.pk is None:
            continue
        modele.objects.filter(pk=element.pk).update(numero=rang)
        if avant[element.pk] != rang:
            changes.append(element)
            changements.append({"numero": [str(avant[element.pk]), str(rang)]})
    if changes:
        journaliser_en_masse(
            changes, action="modifier", par=par, chargement_id=None, commande="renumérotation", changements=changements
        )


def _position(numero, nombre: int, erreurs: dict) -> int:
    """The place asked for (1..nombre), the end when none."""
    if numero in (None, ""):
        return nombre
    try:
        position = int(numero)
    except (TypeError, ValueError):
        erreurs["numero"] = "Le numéro est un nombre entier."
        return nombre
    if not 1 <= position <= NUMERO_MAX:
        erreurs["numero"] = f"Le numéro est compris entre 1 et {NUMERO_MAX}."
        return nombre
    return min(position, nombre)


def element_ajouter(
    *, par, schema: Schema, nature: str, titre: str, texte: str = "", numero=None, axe: Axe | None = None
):
    """Add an enjeu, a direction de progrès, an axe or (in `axe`) an orientation, at place `numero` (the end by
    default): the following ones move down one place."""
    exiger(par, "schema.gerer", schema)
    if nature not in NATURES:
        raise ValidationError({"nature": "Choisissez enjeu, direction de progrès, axe ou orientation."})
    erreurs: dict = {}
    if nature == "orientation" and (axe is None or axe.schema_id != schema.pk):
        erreurs["axe"] = "Choisissez un axe de ce schéma."
    donnees = {"titre": titre, "texte": texte}
    titre = _texte(donnees, "titre", erreurs, requis="Donnez un titre.", limite=500)
    texte = _texte(donnees, "texte", erreurs)
    freres = list(_freres(nature, schema=schema, axe=axe).order_by("numero", "pk")) if "axe" not in erreurs else []
    position = _position(numero, len(freres) + 1, erreurs)
    if erreurs:
        raise ValidationError(erreurs)
    modele = NATURES[nature]
    parent = {"axe": axe} if nature == "orientation" else {"schema": schema}
    nouveau = modele(numero=position, titre=titre, texte=texte, **parent)
    with transaction.atomic(), acteur(par):
        _renumeroter(par, modele, freres[: position - 1] + [nouveau] + freres[position - 1 :])
        nouveau.save()
        return nouveau


def element_modifier(*, par, element, titre: str, texte: str = "", numero=None):
    """Edit an element's title and text; a new `numero` moves it to that place (the others follow)."""
    schema = element.axe.schema if isinstance(element, Orientation) else element.schema
    exiger(par, "schema.gerer", schema)
    nature = nature_de(element)
    erreurs: dict = {}
    donnees = {"titre": titre, "texte": texte}
    titre = _texte(donnees, "titre", erreurs, requis="Donnez un titre.", limite=500)
    texte = _texte(donnees, "texte", erreurs)
    freres = list(_freres(nature, schema=schema, axe=getattr(element, "axe", None)).order_by("numero", "pk"))
    position = _position(numero if numero not in (None, "") else element.numero, len(freres), erreurs)
    if erreurs:
        raise ValidationError(erreurs)
    with transaction.atomic(), acteur(par):
        autres = [f for f in freres if f.pk != element.pk]
        ordre = autres[: position - 1] + [element] + autres[position - 1 :]
        _renumeroter(par, type(element), ordre)
        element.titre, element.texte = titre, texte
        element.save(update_fields=["titre", "texte"])
        return element


def element_deplacer(*, par, element, sens: int):
    """Move an element one place up (`sens` = -1) or down (+1)."""
    return element_modifier(
        par=par, element=element, titre=element.titre, texte=element.texte, numero=max(1, element.numero + sens)
    )


def element_supprimer(*, par, element) -> None:
    """Delete an element; the following ones move up one place. An axe that still has orientations or indicators,
    or an orientation that still has fiches actions, is kept (French message)."""
    schema = element.axe.schema if isinstance(element, Orientation) else element.schema
    exiger(par, "schema.gerer", schema)
    nature = nature_de(element)
    if isinstance(element, Orientation) and element.fiches.exists():
        raise ValidationError(
            f"L'orientation {element.code} a encore {element.fiches.count()} fiche(s) action : déplacez-les vers une "
            "autre orientation ou supprimez-les avant de supprimer l'orientation."
        )
    if isinstance(element, Axe):
        if element.orientations.exists():
            raise ValidationError(f"L'axe {element.numero} a encore des orientations : supprimez-les d'abord.")
        if element.indicateurs.exists():
            raise ValidationError(
                f"L'axe {element.numero} a des indicateurs rattachés : rattachez-les ailleurs d'abord."
            )
    axe = getattr(element, "axe", None)
    with transaction.atomic(), acteur(par):
        element.delete()
        restants = list(_freres(nature, schema=schema, axe=axe).order_by("numero", "pk"))
        _renumeroter(par, type(element), restants)


def elements_renumeroter(*, par, schema: Schema, nature: str, axe: Axe | None = None) -> None:
    """Number a list 1..n in its current order (fills the holes left by an import or the admin)."""
    exiger(par, "schema.gerer", schema)
    if nature not in NATURES or (nature == "orientation" and (axe is None or axe.schema_id != schema.pk)):
        raise ValidationError("Liste inconnue pour ce schéma.")
    with transaction.atomic(), acteur(par):
        _renumeroter(par, NATURES[nature], list(_freres(nature, schema=schema, axe=axe).order_by("numero", "pk")))


# --- Fiches actions -----------------------------------------------------------------------------------------------

CHAMPS_FICHE = ("numero", "titre", "objectifs", "description", "publics", "debut", "fin", "poids", "budget")
RELATIONS_FICHE = ("partenaires", "referents", "communes", "epci", "regroupements", "qpv", "structures")


def _valider_fiche(schema: Schema, donnees: dict, *, fiche: FicheAction | None = None) -> tuple[dict, dict]:
    code = schema.departement_id
    erreurs: dict = {}
    propres = {
        "numero": _texte(
            donnees, "numero", erreurs, requis="Donnez un numéro à la fiche (par exemple 1.2.3).", limite=20
        ),
        "titre": _texte(donnees, "titre", erreurs, requis="Donnez un titre à la fiche.", limite=300),
        "objectifs": _texte(donnees, "objectifs", erreurs),
        "description": _texte(donnees, "description", erreurs),
        "publics": _texte(donnees, "publics", erreurs),
    }
    if propres["numero"] and "numero" not in erreurs:
        autres = FicheAction.objects.filter(schema=schema, numero=propres["numero"])
        if fiche is not None:
            autres = autres.exclude(pk=fiche.pk)
        if autres.exists():
            erreurs["numero"] = f"Le numéro {propres['numero']} est déjà celui d'une autre fiche de ce schéma."
    orientation = donnees.get("orientation")
    if not isinstance(orientation, Orientation) or orientation.axe.schema_id != schema.pk:
        erreurs["orientation"] = "Choisissez une orientation de ce schéma."
    propres["orientation"] = orientation
    debut, fin = donnees.get("debut"), donnees.get("fin")
    for champ, valeur in (("debut", debut), ("fin", fin)):
        if valeur is not None and not isinstance(valeur, datetime.date):
            erreurs[champ] = "Indiquez une date (jj/mm/aaaa)."
    if isinstance(debut, datetime.date) and isinstance(fin, datetime.date) and fin < debut:
        erreurs["fin"] = "La fin ne peut pas précéder le début."
    propres["debut"], propres["fin"] = debut, fin
    poids = donnees.get("poids")
    try:
        poids = int(poids if poids not in (None, "") else 1)
    except (TypeError, ValueError):
        poids = None
    if poids is None or not 1 <= poids <= 100:
        erreurs["poids"] = "Le poids est un nombre entier de 1 à 100."
    propres["poids"] = poids
    budget = donnees.get("budget")
    if budget in (None, ""):
        budget = None
    else:
        try:
            budget = Decimal(str(budget)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            budget = Decimal("-1")
        if not budget.is_finite() or not Decimal(0) <= budget < Decimal("1e10"):
            erreurs["budget"] = "Le budget est un montant positif en euros (moins de 10 milliards)."
    propres["budget"] = budget
    organisations = selectors_schema.organisations_du_departement(code)
    hors = "Choisissez des {} du département."
    pilote = donnees.get("pilote")
    _dans_le_departement(pilote, organisations, "pilote", erreurs, "Choisissez une organisation active du département.")
    propres["pilote"] = pilote
    relations = {
        "partenaires": _dans_le_departement(
            list(donnees.get("partenaires") or []), organisations, "partenaires", erreurs, hors.format("organisations")
        ),
        "referents": _dans_le_departement(
            list(donnees.get("referents") or []),
            selectors_schema.comptes_du_departement(code),
            "referents",
            erreurs,
            "Les référents sont des comptes actifs (conseillers, partenaires, pilotes) du département.",
        ),
        "communes": _dans_le_departement(
            list(donnees.get("communes") or []),
            selectors_schema.communes_du_departement(code),
            "communes",
            erreurs,
            hors.format("communes"),
        ),
        "epci": _dans_le_departement(
            list(donnees.get("epci") or []),
            selectors_schema.epci_du_departement(code),
            "epci",
            erreurs,
            "Choisissez des EPCI ayant des communes dans le département.",
        ),  # fmt: skip
        "regroupements": _dans_le_departement(
            list(donnees.get("regroupements") or []),
            selectors_schema.regroupements_du_departement(code),
            "regroupements",
            erreurs,
            "Choisissez des EPT ou des regroupements de communes du département.",
        ),  # fmt: skip
        "qpv": _dans_le_departement(
            list(donnees.get("qpv") or []),
            selectors_schema.qpv_du_departement(code),
            "qpv",
            erreurs,
            "Choisissez des quartiers prioritaires du département.",
        ),  # fmt: skip
        "structures": _dans_le_departement(
            list(donnees.get("structures") or []),
            selectors_schema.structures_du_departement(code),
            "structures",
            erreurs,
            hors.format("structures"),
        ),
    }
    if erreurs:
        raise ValidationError(erreurs)
    return propres, relations


def _enregistrer_relations(fiche: FicheAction, relations: dict) -> None:
    for nom, objets in relations.items():
        gestionnaire = getattr(fiche, nom)
        if set(gestionnaire.values_list("pk", flat=True)) != {o.pk for o in objets}:
            gestionnaire.set(objets)


def fiche_creer(*, par, schema: Schema, donnees: dict) -> FicheAction:
    """A new fiche action « à lancer », 0 %, in an orientation of `schema`."""
    exiger(par, "schema.gerer", schema)
    propres, relations = _valider_fiche(schema, donnees)
    with transaction.atomic(), acteur(par):
        fiche = FicheAction.objects.create(schema=schema, **propres)
        _enregistrer_relations(fiche, relations)
        return fiche


def fiche_modifier(*, par, fiche: FicheAction, donnees: dict, version: int | None = None) -> FicheAction:
    """Edit what a fiche action is (number, texts, orientation, organisations, referents, territories,
    structures, calendar, weight, budget). Its status and progress: `services.fiche_mettre_a_jour`."""
    exiger(par, "schema.gerer", fiche)
    propres, relations = _valider_fiche(fiche.schema, donnees, fiche=fiche)
    with transaction.atomic(), acteur(par):
        if version is not None:
            verifier_version(fiche, version, nom="cette fiche action")
        for champ, valeur in propres.items():
            setattr(fiche, champ, valeur)
        fiche.save()
        _enregistrer_relations(fiche, relations)
        return fiche


# --- Milestones ---------------------------------------------------------------------------------------------------


def _valider_jalon(libelle, echeance, fait, fait_le) -> tuple[str, datetime.date, bool, datetime.date | None]:
    erreurs: dict = {}
    libelle = _texte({"libelle": libelle}, "libelle", erreurs, requis="Décrivez le jalon.", limite=300)
    if not isinstance(echeance, datetime.date):
        erreurs["echeance"] = "Indiquez l'échéance (jj/mm/aaaa)."
    fait = bool(fait)
    if fait_le is not None and not isinstance(fait_le, datetime.date):
        erreurs["fait_le"] = "Indiquez une date (jj/mm/aaaa)."
    elif fait_le is not None and not fait:
        erreurs["fait_le"] = "Une date de réalisation n'a de sens que pour un jalon fait."
    elif fait_le is not None and fait_le > aujourdhui():
        erreurs["fait_le"] = "La date de réalisation ne peut pas être dans le futur."
    if erreurs:
        raise ValidationError(erreurs)
    if fait and fait_le is None:
        fait_le = aujourdhui()
    return libelle, echeance, fait, fait_le


def jalon_ajouter(*, par, fiche: FicheAction, libelle: str, echeance, fait: bool = False, fait_le=None) -> Jalon:
    exiger(par, "schema.gerer", fiche)
    libelle, echeance, fait, fait_le = _valider_jalon(libelle, echeance, fait, fait_le)
    with transaction.atomic(), acteur(par):
        return Jalon.objects.create(fiche=fiche, libelle=libelle, echeance=echeance, fait=fait, fait_le=fait_le)


def jalon_modifier(*, par, jalon: Jalon, libelle: str, echeance, fait: bool = False, fait_le=None) -> Jalon:
    exiger(par, "schema.gerer", jalon.fiche)
    libelle, echeance, fait, fait_le = _valider_jalon(libelle, echeance, fait, fait_le)
    with transaction.atomic(), acteur(par):
        jalon.libelle, jalon.echeance, jalon.fait, jalon.fait_le = libelle, echeance, fait, fait_le
        jalon.save()
        return jalon


def jalon_supprimer(*, par, jalon: Jalon) -> None:
    exiger(par, "schema.gerer", jalon.fiche)
    with transaction.atomic(), acteur(par):
        jalon.delete()
