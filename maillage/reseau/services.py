"""Writes of the network's events: events and their programme, registrations (waiting list, promotion,
cancellation, check-in, walk-ins), series of workshops, resources and news.

Keyword-only arguments; the permission first; everything validated before writing, with French messages keyed by
field (`ValidationError`); one transaction, audited through `acteur`; shared objects edited with the version their
form read (`verifier_version`). E-mails leave after the commit (`notifications`).

Registration is where a crowd arrives at once: `inscription_creer` takes the event's row lock (SELECT … FOR UPDATE
on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) before counting the confirmed places, so that
N concurrent registrations for C places give exactly C confirmed and the rest on the waiting list.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count

from maillage.comptes.models import Organisation
from maillage.core.audit import acteur
from maillage.core.horloge import dater, maintenant
from maillage.core.permissions import exiger, peut
from maillage.core.versions import verifier_version

from . import notifications
from .models import (
    Actualite,
    Categorie,
    Etiquette,
    Evenement,
    Inscription,
    InscriptionSession,
    Intervenant,
    Invitation,
    Personne,
    Ressource,
    SerieAteliers,
    SessionProgramme,
)
from .validation import (
    LONGUEUR_NOM,
    LONGUEUR_TEXTE,
    LONGUEUR_TITRE,
    exiger_droit,
    lever_erreurs,
    normaliser_email,
    valider_choix,
    valider_email,
    valider_intervenants,
    valider_session,
    valider_texte,
)


class InscriptionImpossible(Exception):
    """The event does not take registrations now (closed, past, cancelled, full without waiting list): a 409 in
    the API, a message on the page. `raison` is the French sentence shown."""

    def __init__(self, raison: str):
        super().__init__(raison)
        self.raison = raison


# --- Events -----------------------------------------------------------------------------------------------------

CHAMPS_EVENEMENT = (
    "titre", "type", "statut", "acces", "debut", "fin", "lieu_nom", "lieu_adresse", "lieu_commune", "longitude",
    "latitude", "description", "public_vise", "organisateur", "capacite", "date_limite_inscription",
    "inscriptions_fermees", "liste_attente", "serie", "schema",
)  # fmt: skip


def _valider_evenement(donnees: dict, *, departement_id: str, confirmes: int = 0, nouveau: bool) -> dict:
    erreurs: dict[str, str] = {}
    propre = dict(donnees)
    propre["titre"] = valider_texte(
        erreurs, "titre", donnees.get("titre"), limite=LONGUEUR_TITRE, obligatoire="Donnez un titre."
    )
    valider_choix(
        erreurs, "type", donnees.get("type"), Evenement.Type.choices, message="Choisissez un type d'événement."
    )
    valider_choix(
        erreurs, "acces", donnees.get("acces"), Evenement.Acces.choices, message="Choisissez qui peut s'inscrire."
    )
    valider_choix(erreurs, "statut", donnees.get("statut"), Evenement.Statut.choices, message="Choisissez un statut.")
    for champ in ("lieu_nom", "lieu_adresse", "public_vise"):
        propre[champ] = valider_texte(erreurs, champ, donnees.get(champ, ""), limite=250)
    propre["description"] = valider_texte(erreurs, "description", donnees.get("description", ""), limite=LONGUEUR_TEXTE)
    debut, fin = donnees.get("debut"), donnees.get("fin")
    if not isinstance(debut, datetime.datetime):
        erreurs["debut"] = "Indiquez la date et l'heure de début."
    if not isinstance(fin, datetime.datetime):
        erreurs["fin"] = "Indiquez la date et l'heure de fin."
    if isinstance(debut, datetime.datetime) and isinstance(fin, datetime.datetime):
        if fin < debut:
            erreurs["fin"] = "La fin doit venir après le début."
        elif nouveau and fin < maintenant():
            erreurs["fin"] = "Cet événement serait déjà passé : vérifiez les dates."
    limite = donnees.get("date_limite_inscription")
    if limite is not None and isinstance(fin, datetime.datetime) and limite > fin:
        erreurs["date_limite_inscription"] = "La date limite d'inscription doit précéder la fin de l'événement."
    capacite = donnees.get("capacite")
    if capacite is not None:
        if isinstance(capacite, bool) or not isinstance(capacite, int) or capacite < 1:
            erreurs["capacite"] = "La capacité est un nombre de places, au moins 1 (vide : pas de limite)."
        elif capacite < confirmes:
            erreurs["capacite"] = (
                f"{confirmes} inscriptions sont déjà confirmées : la capacité ne peut pas descendre en dessous."
            )
    lon, lat = donnees.get("longitude"), donnees.get("latitude")
    if (lon is None) != (lat is None):
        erreurs["latitude"] = "Indiquez la longitude et la latitude, ou aucune des deux."
    elif lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        erreurs["latitude"] = "Cette position n'existe pas (longitude entre -180 et 180, latitude entre -90 et 90)."
    for champ in ("lieu_commune", "organisateur", "serie", "schema"):
        objet = donnees.get(champ)
        if objet is not None and getattr(objet, "departement_id", departement_id) != departement_id:
            erreurs[champ] = "Choisissez un élément du département de l'événement."
    lever_erreurs(erreurs)
    return propre


def evenement_creer(*, par, departement, coorganisateurs=(), **donnees) -> Evenement:
    """Create an event in `departement` (a Departement). `donnees`: the fields of CHAMPS_EVENEMENT."""
    exiger_droit(par, "evenement.organiser", departement)
    inconnus = set(donnees) - set(CHAMPS_EVENEMENT)
    if inconnus:
        raise TypeError(f"Champs inconnus : {sorted(inconnus)}")
    donnees = {"type": Evenement.Type.JOURNEE, "statut": Evenement.Statut.BROUILLON,
               "acces": Evenement.Acces.INVITATION, **donnees}  # fmt: skip
    propre = _valider_evenement(donnees, departement_id=departement.pk, nouveau=True)
    coorganisateurs = list(coorganisateurs)
    if any(o.departement_id != departement.pk for o in coorganisateurs):
        raise ValidationError({"coorganisateurs": "Choisissez des organisations du département de l'événement."})
    with transaction.atomic(), acteur(par):
        evenement = Evenement.objects.create(departement=departement, cree_par=par, **propre)
        evenement.coorganisateurs.set(coorganisateurs)
    return evenement


def evenement_modifier(*, par, evenement: Evenement, version, coorganisateurs=None, **donnees) -> Evenement:
    """Change an event; a larger capacity (or none) promotes from the waiting list, with an e-mail each."""
    exiger_droit(par, "evenement.organiser", evenement)
    inconnus = set(donnees) - set(CHAMPS_EVENEMENT)
    if inconnus:
        raise TypeError(f"Champs inconnus : {sorted(inconnus)}")
    actuel = {c: getattr(evenement, c) for c in CHAMPS_EVENEMENT}
    complet = {**actuel, **donnees}
    with transaction.atomic(), acteur(par):
        verrouille = Evenement.objects.select_for_update().get(pk=evenement.pk)
        verifier_version(verrouille, version, nom="cet événement")
        confirmes = verrouille.inscriptions.filter(statut=Inscription.Statut.CONFIRMEE).count()
        propre = _valider_evenement(
            complet, departement_id=evenement.departement_id, confirmes=confirmes, nouveau=False
        )
        if coorganisateurs is not None and any(o.departement_id != evenement.departement_id for o in coorganisateurs):
            raise ValidationError({"coorganisateurs": "Choisissez des organisations du département de l'événement."})
        for champ, valeur in propre.items():
            if champ in CHAMPS_EVENEMENT:
                setattr(verrouille, champ, valeur)
        verrouille.save()
        if coorganisateurs is not None:
            verrouille.coorganisateurs.set(coorganisateurs)
        _promouvoir(verrouille)
    evenement.refresh_from_db()
    return evenement


def session_ajouter(
    *,
    par,
    evenement: Evenement,
    titre: str,
    debut: datetime.datetime,
    fin: datetime.datetime,
    type: str = SessionProgramme.Type.PLENIERE,
    salle: str = "",
    description: str = "",
    capacite: int | None = None,
    au_choix: bool = False,
    intervenants=(),
) -> SessionProgramme:
    """Add a time to the programme. `intervenants`: dicts {nom, fonction, organisation} (fonction required)."""
    exiger_droit(par, "evenement.organiser", evenement)
    erreurs: dict[str, str] = {}
    propre = valider_session(
        erreurs, evenement=evenement, titre=titre, type=type, salle=salle, description=description, debut=debut,
        fin=fin, capacite=capacite,
    )  # fmt: skip
    intervenants_propres = valider_intervenants(erreurs, intervenants)
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        ordre = evenement.sessions.count()
        session = SessionProgramme.objects.create(evenement=evenement, au_choix=au_choix, ordre=ordre, **propre)
        Intervenant.objects.bulk_create([Intervenant(session=session, **p) for p in intervenants_propres])
    return session


def serie_creer(*, par, departement, titre: str, description: str = "") -> SerieAteliers:
    exiger_droit(par, "evenement.organiser", departement)
    erreurs: dict[str, str] = {}
    titre = valider_texte(erreurs, "titre", titre, limite=LONGUEUR_TITRE, obligatoire="Donnez un titre à la série.")
    description = valider_texte(erreurs, "description", description, limite=LONGUEUR_TEXTE)
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        return SerieAteliers.objects.create(departement=departement, titre=titre, description=description)


# --- Registrations ----------------------------------------------------------------------------------------------


def raison_fermeture(evenement: Evenement, *, a: datetime.datetime | None = None) -> str:
    """Why the event takes no registration now ("" when it does)."""
    a = a or maintenant()
    if evenement.statut == Evenement.Statut.ANNULE:
        return "Cet événement est annulé."
    if evenement.statut != Evenement.Statut.PUBLIE:
        return "Cet événement n'est pas encore publié."
    if evenement.fin < a:
        return "Cet événement est passé."
    if evenement.inscriptions_fermees:
        return "Les inscriptions sont fermées."
    if evenement.date_limite_inscription is not None and evenement.date_limite_inscription < a:
        return "La date limite d'inscription est passée."
    return ""


def _verifier_acces(evenement: Evenement, *, par, invitation, origine: str) -> None:
    if origine in {Inscription.Origine.ORGANISATEUR, Inscription.Origine.SUR_PLACE, Inscription.Origine.DEMO}:
        if origine != Inscription.Origine.DEMO:
            exiger(par, "evenement.organiser", evenement)
        return
    if invitation is not None:
        if invitation.evenement_id != evenement.pk:
            raise PermissionDenied("Ce lien d'invitation ne correspond pas à cet événement.")
        return
    if getattr(par, "is_authenticated", False) and peut(par, "evenement.s_inscrire", evenement):
        return
    if evenement.acces == Evenement.Acces.PUBLIC and evenement.statut == Evenement.Statut.PUBLIE:
        return
    if evenement.acces == Evenement.Acces.INVITATION:
        raise PermissionDenied("Cet événement est sur invitation : utilisez le lien personnel reçu par e-mail.")
    raise PermissionDenied("Cet événement est réservé au réseau : connectez-vous pour vous inscrire.")


def _valider_identite(donnees: dict) -> dict:
    erreurs: dict[str, str] = {}
    propre = {
        "nom": valider_texte(
            erreurs, "nom", donnees.get("nom"), limite=LONGUEUR_NOM, obligatoire="Indiquez votre nom."
        ),
        "prenom": valider_texte(erreurs, "prenom", donnees.get("prenom", ""), limite=LONGUEUR_NOM),
        "email": valider_email(erreurs, "email", donnees.get("email"), obligatoire=True),
        "telephone": valider_texte(erreurs, "telephone", donnees.get("telephone", ""), limite=30),
        "fonction": valider_texte(erreurs, "fonction", donnees.get("fonction", ""), limite=200),
        "organisation_nom": valider_texte(erreurs, "organisation_nom", donnees.get("organisation_nom", ""), limite=200),
        "categorie": valider_choix(
            erreurs,
            "categorie",
            donnees.get("categorie") or Categorie.AUTRE,
            Categorie.choices,
            message="Choisissez une catégorie dans la liste.",
        ),  # fmt: skip
    }
    type_organisation = donnees.get("type_organisation") or ""
    if type_organisation:
        valider_choix(erreurs, "type_organisation", type_organisation, Organisation.Type.choices,
               message="Choisissez un type d'organisation dans la liste.")  # fmt: skip
    propre["type_organisation"] = type_organisation
    lever_erreurs(erreurs)
    return propre


def _sessions_choisies(evenement: Evenement, sessions) -> list[SessionProgramme]:
    ids = []
    for s in sessions or ():
        ids.append(s.pk if isinstance(s, SessionProgramme) else s)
    if not ids:
        return []
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise ValidationError({"sessions": "Choisissez des sessions du programme de cet événement."})
    trouvees = list(evenement.sessions.filter(pk__in=ids, au_choix=True))
    if len(trouvees) != len(set(ids)):
        raise ValidationError({"sessions": "Choisissez des sessions proposées au choix dans le programme."})
    # Two parallel workshops at the same time cannot both be attended.
    trouvees.sort(key=lambda s: s.debut)
    for a, b in zip(trouvees, trouvees[1:], strict=False):
        if b.debut < a.fin:
            raise ValidationError(
                {"sessions": f"« {a.titre} » et « {b.titre} » ont lieu en même temps : choisissez-en une."}
            )
    return trouvees


def _places_prises(sessions: list[SessionProgramme], *, sauf: Inscription | None = None) -> dict[int, int]:
    qs = InscriptionSession.objects.filter(
        session__in=sessions, reservee=True, inscription__statut=Inscription.Statut.CONFIRMEE
    )
    if sauf is not None:
        qs = qs.exclude(inscription=sauf)
    return dict(qs.values_list("session").annotate(n=Count("pk")).values_list("session", "n"))


def _sessions_completes(sessions: list[SessionProgramme], *, sauf: Inscription | None = None) -> list[SessionProgramme]:
    prises = _places_prises([s for s in sessions if s.capacite], sauf=sauf)
    return [s for s in sessions if s.capacite and prises.get(s.pk, 0) >= s.capacite]


def inscription_creer(
    *,
    evenement: Evenement,
    par=None,
    sessions=(),
    consentement: bool = False,
    origine: str = Inscription.Origine.FORMULAIRE,
    invitation: Invitation | None = None,
    commune=None,
    organisation: Organisation | None = None,
    present: bool = False,
    **identite,
) -> tuple[Inscription, bool]:
    """Register someone; returns (registration, created). The same e-mail again returns the existing registration
    (created=False) — a cancelled one is reopened. Raises `InscriptionImpossible` when the event takes no
    registration (closed, past, cancelled, full without waiting list), `ValidationError` on bad fields,
    `PermissionDenied` when the event is not open to this person.

    `identite`: nom, prenom, email, telephone, fonction, organisation_nom, categorie, type_organisation."""
    _verifier_acces(evenement, par=par, invitation=invitation, origine=origine)
    propre = _valider_identite(identite)
    choisies = _sessions_choisies(evenement, sessions)
    if organisation is not None and organisation.departement_id != evenement.departement_id:
        raise ValidationError({"organisation": "Choisissez une organisation du département de l'événement."})
    if organisation is not None and not propre["type_organisation"]:
        propre["type_organisation"] = organisation.type
    sur_place = origine in {Inscription.Origine.SUR_PLACE, Inscription.Origine.DEMO}
    instant = maintenant()
    existante = Inscription.objects.filter(evenement=evenement, email=propre["email"]).first()
    if existante is not None and existante.statut != Inscription.Statut.ANNULEE and not present:
        return existante, False
    if not sur_place and (raison := raison_fermeture(evenement, a=instant)):
        raise InscriptionImpossible(raison)
    compte = par if getattr(par, "is_authenticated", False) and origine == Inscription.Origine.COMPTE else None
    with transaction.atomic(), acteur(par if getattr(par, "is_authenticated", False) else None):
        verrouille = Evenement.objects.select_for_update().get(pk=evenement.pk)
        existante = Inscription.objects.filter(evenement=verrouille, email=propre["email"]).first()
        if existante is not None and existante.statut != Inscription.Statut.ANNULEE:
            if present and not existante.present:
                return _pointer(existante, par=par, instant=instant), False
            return existante, False
        confirmes = verrouille.inscriptions.filter(statut=Inscription.Statut.CONFIRMEE).count()
        if sur_place or verrouille.capacite is None or confirmes < verrouille.capacite:
            statut = Inscription.Statut.CONFIRMEE
        elif verrouille.liste_attente:
            statut = Inscription.Statut.LISTE_ATTENTE
        else:
            raise InscriptionImpossible("L'événement est complet.")
        completes = _sessions_completes(choisies) if statut == Inscription.Statut.CONFIRMEE and not sur_place else []
        if completes:
            noms = ", ".join(f"« {s.titre} »" for s in completes)
            raise ValidationError({"sessions": f"Plus de place dans : {noms}. Choisissez une autre session."})
        champs = {
            **propre,
            "statut": statut,
            "origine": origine,
            "commune": commune,
            "organisation": organisation,
            "compte": compte,
            "invitation": invitation,
            "personne": invitation.personne if invitation is not None else None,
            "consentement_le": instant if consentement else None,
            "present_le": instant if present else None,
            "pointe_par": par if present and getattr(par, "is_authenticated", False) else None,
            "annulee_le": None,
            "promue_le": None,
        }
        if existante is not None:  # reopen a cancelled registration: same code and personal link
            for champ, valeur in champs.items():
                setattr(existante, champ, valeur)
            existante.save()
            existante.choix.all().delete()
            inscription = existante
        else:
            try:
                with transaction.atomic():
                    inscription = dater(Inscription.objects.create(evenement=verrouille, **champs), "cree_le")
            except IntegrityError:  # same e-mail at the same instant (a double click): the first one wins
                return Inscription.objects.get(evenement=verrouille, email=propre["email"]), False
        InscriptionSession.objects.bulk_create(
            [InscriptionSession(inscription=inscription, session=s, reservee=statut == Inscription.Statut.CONFIRMEE)
             for s in choisies]
        )  # fmt: skip
        if not present:
            transaction.on_commit(lambda: notifications.planifier("inscription_enregistree", inscription.pk))
    return inscription, True


def _pointer(inscription: Inscription, *, par, instant) -> Inscription:
    inscription.present_le = instant
    inscription.pointe_par = par if getattr(par, "is_authenticated", False) else None
    if inscription.statut != Inscription.Statut.CONFIRMEE:
        # Someone on the waiting list (or cancelled) who came anyway: the staff let them in.
        inscription.statut = Inscription.Statut.CONFIRMEE
        inscription.annulee_le = None
    inscription.save()
    return inscription


def inscription_modifier(*, inscription: Inscription, par=None, version, sessions=(), **identite) -> Inscription:
    """The registrant (personal link or account) or an organiser changes the identity and chosen sessions.
    The view checks the personal link; with an account, `inscription.gerer`."""
    if getattr(par, "is_authenticated", False):
        exiger(par, "inscription.gerer", inscription)
    if inscription.statut == Inscription.Statut.ANNULEE:
        raise InscriptionImpossible("Cette inscription est annulée : inscrivez-vous à nouveau.")
    champs = ("nom", "prenom", "email", "telephone", "fonction", "organisation_nom", "categorie", "type_organisation")
    actuelle = {c: getattr(inscription, c) for c in champs}
    propre = _valider_identite({**actuelle, **identite})
    if propre["email"] != inscription.email:
        raise ValidationError({"email": "L'adresse e-mail ne se change pas : annulez et inscrivez-vous à nouveau."})
    choisies = _sessions_choisies(inscription.evenement, sessions)
    with transaction.atomic(), acteur(par if getattr(par, "is_authenticated", False) else None):
        Evenement.objects.select_for_update().get(pk=inscription.evenement_id)
        verifier_version(inscription, version, nom="cette inscription")
        confirmee = inscription.statut == Inscription.Statut.CONFIRMEE
        if confirmee and (completes := _sessions_completes(choisies, sauf=inscription)):
            deja = set(inscription.choix.filter(reservee=True).values_list("session_id", flat=True))
            completes = [s for s in completes if s.pk not in deja]
            if completes:
                noms = ", ".join(f"« {s.titre} »" for s in completes)
                raise ValidationError({"sessions": f"Plus de place dans : {noms}."})
        for champ, valeur in propre.items():
            setattr(inscription, champ, valeur)
        inscription.save()
        inscription.choix.all().delete()
        InscriptionSession.objects.bulk_create(
            [InscriptionSession(inscription=inscription, session=s, reservee=confirmee) for s in choisies]
        )
        _promouvoir(inscription.evenement)  # a freed workshop place does not change the event's count
    return inscription


def inscription_annuler(*, inscription: Inscription, par=None) -> list[Inscription]:
    """Cancel a registration (personal link, account or organiser); the first on the waiting list takes the place
    (e-mail). Returns the promoted registrations."""
    if getattr(par, "is_authenticated", False):
        exiger(par, "inscription.gerer", inscription)
    with transaction.atomic(), acteur(par if getattr(par, "is_authenticated", False) else None):
        evenement = Evenement.objects.select_for_update().get(pk=inscription.evenement_id)
        inscription.refresh_from_db()
        if inscription.statut == Inscription.Statut.ANNULEE:
            return []
        inscription.statut = Inscription.Statut.ANNULEE
        inscription.annulee_le = maintenant()
        inscription.save()
        inscription.choix.update(reservee=False)
        promues = _promouvoir(evenement)
        pk = inscription.pk
        transaction.on_commit(lambda: notifications.planifier("inscription_annulee", pk))
    return promues


def inscription_promouvoir(*, par, inscription: Inscription) -> Inscription:
    """An organiser takes someone off the waiting list now, even beyond the capacity (their decision: a speaker, a
    partner expected); their wished sessions are reserved where room is left. E-mail as for an automatic promotion."""
    exiger(par, "evenement.organiser", inscription.evenement)
    with transaction.atomic(), acteur(par):
        Evenement.objects.select_for_update().get(pk=inscription.evenement_id)
        inscription.refresh_from_db()
        if inscription.statut != Inscription.Statut.LISTE_ATTENTE:
            raise InscriptionImpossible("Cette inscription n'est pas sur la liste d'attente.")
        inscription.statut = Inscription.Statut.CONFIRMEE
        inscription.promue_le = maintenant()
        inscription.save()
        _reserver_voeux(inscription)
        pk = inscription.pk
        transaction.on_commit(lambda: notifications.planifier("inscription_promue", pk))
    return inscription


def _reserver_voeux(inscription: Inscription) -> None:
    voeux = list(inscription.choix.select_related("session"))
    completes = {s.pk for s in _sessions_completes([c.session for c in voeux], sauf=inscription)}
    for choix in voeux:
        if choix.session_id in completes:
            choix.delete()
        else:
            choix.reservee = True
            choix.save(update_fields=["reservee"])


def _promouvoir(evenement: Evenement) -> list[Inscription]:
    """Inside the event's lock: give the free places to the waiting list, first come first served; their wished
    sessions are reserved where room is left (the others are dropped and the e-mail says which)."""
    attente = evenement.inscriptions.filter(statut=Inscription.Statut.LISTE_ATTENTE).order_by("cree_le", "pk")
    if evenement.capacite is not None:
        libres = evenement.capacite - evenement.inscriptions.filter(statut=Inscription.Statut.CONFIRMEE).count()
        if libres <= 0:
            return []
        attente = attente[:libres]
    promues = list(attente)
    instant = maintenant()
    for inscription in promues:
        inscription.statut = Inscription.Statut.CONFIRMEE
        inscription.promue_le = instant
        inscription.save()
        _reserver_voeux(inscription)
        pk = inscription.pk
        transaction.on_commit(lambda pk=pk: notifications.planifier("inscription_promue", pk))
    return promues


def presence_pointer(*, par, inscription: Inscription, present: bool = True) -> Inscription:
    """Mark a registrant present at the door (or undo a mistake)."""
    exiger(par, "evenement.organiser", inscription.evenement)
    with transaction.atomic(), acteur(par):
        Evenement.objects.select_for_update().get(pk=inscription.evenement_id)
        inscription.refresh_from_db()
        if present:
            if not inscription.present:
                _pointer(inscription, par=par, instant=maintenant())
        elif inscription.present:
            inscription.present_le = None
            inscription.pointe_par = None
            inscription.save()
    return inscription


def inscription_sur_place(*, par, evenement: Evenement, **identite) -> tuple[Inscription, bool]:
    """Register a walk-in at the door, present at once (the same e-mail → the existing registration, marked
    present)."""
    return inscription_creer(
        evenement=evenement, par=par, origine=Inscription.Origine.SUR_PLACE, present=True, **identite
    )


def inscription_par_code(evenement: Evenement, code: str) -> Inscription | None:
    code = "".join((code or "").split()).upper()
    if not code:
        return None
    return evenement.inscriptions.filter(code=code).first()


# --- Annuaire (minimal writer used by the demo and the registrations; the annuaire module adds the rest) ---------


def personne_creer(*, par, departement, nom: str, categorie: str, **champs) -> Personne:
    """Add a person to the annuaire. The same e-mail in the département is refused (the existing one is named)."""
    exiger_droit(par, "annuaire.gerer", departement)
    erreurs: dict[str, str] = {}
    propre = {
        "nom": valider_texte(erreurs, "nom", nom, limite=LONGUEUR_NOM, obligatoire="Indiquez le nom."),
        "prenom": valider_texte(erreurs, "prenom", champs.pop("prenom", ""), limite=LONGUEUR_NOM),
        "fonction": valider_texte(erreurs, "fonction", champs.pop("fonction", ""), limite=200),
        "telephone": valider_texte(erreurs, "telephone", champs.pop("telephone", ""), limite=30),
        "email": valider_email(erreurs, "email", champs.pop("email", ""), obligatoire=False),
        "categorie": valider_choix(
            erreurs, "categorie", categorie, Categorie.choices, message="Choisissez une catégorie."
        ),
    }
    base = champs.pop("base_legale", Personne._meta.get_field("base_legale").default)
    valider_choix(erreurs, "base_legale", base, Personne._meta.get_field("base_legale").choices,
           message="Choisissez la base légale du contact.")  # fmt: skip
    consentement_le = champs.pop("consentement_le", None)
    if base == "consentement" and consentement_le is None:
        erreurs["consentement_le"] = "Indiquez la date du consentement (base légale : consentement)."
    organisation = champs.pop("organisation", None)
    commune = champs.pop("commune", None)
    if organisation is not None and organisation.departement_id != departement.pk:
        erreurs["organisation"] = "Choisissez une organisation du département."
    if commune is not None and commune.departement_id != departement.pk:
        erreurs["commune"] = "Choisissez une commune du département."
    origine = champs.pop("origine", Personne.Origine.SAISIE)
    consentement_objet = valider_texte(erreurs, "consentement_objet", champs.pop("consentement_objet", ""), limite=250)
    if champs:
        raise TypeError(f"Champs inconnus : {sorted(champs)}")
    if propre["email"] and "email" not in erreurs:
        doublon = Personne.objects.filter(departement=departement, email=propre["email"]).first()
        if doublon is not None:
            erreurs["email"] = f"Cette adresse est déjà celle de {doublon.nom_complet} dans l'annuaire."
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        return Personne.objects.create(
            departement=departement, organisation=organisation, commune=commune, base_legale=base,
            consentement_le=consentement_le, consentement_objet=consentement_objet, origine=origine, **propre,
        )  # fmt: skip


# --- Resources and news (minimal writers used by the demo; their module adds editing) -----------------------------


def etiquettes_obtenir(noms) -> list[Etiquette]:
    propres = []
    for nom in noms or ():
        nom = " ".join(str(nom).split())[:80]
        if nom and nom.lower() not in {e.nom.lower() for e in propres}:
            etiquette = Etiquette.objects.filter(nom__iexact=nom).first() or Etiquette.objects.create(nom=nom)
            propres.append(etiquette)
    return propres


def ressource_creer(*, par, departement, titre: str, etiquettes=(), fichier=None, nom_fichier: str = "", **champs):
    """Add a resource (a file or a link) to the library. `fichier`: a Django File (already checked by the form)."""
    exiger_droit(par, "reseau.publier", departement)
    erreurs: dict[str, str] = {}
    titre = valider_texte(erreurs, "titre", titre, limite=LONGUEUR_TITRE, obligatoire="Donnez un titre.")
    champs["resume"] = valider_texte(erreurs, "resume", champs.get("resume", ""), limite=LONGUEUR_TEXTE)
    visibilites = Ressource._meta.get_field("visibilite").choices
    valider_choix(erreurs, "visibilite", champs.setdefault("visibilite", "reseau"), visibilites,
           message="Choisissez une visibilité.")  # fmt: skip
    valider_choix(erreurs, "nature", champs.setdefault("nature", "document"), Ressource.Nature.choices,
           message="Choisissez une nature de ressource.")  # fmt: skip
    if fichier is None and not champs.get("lien"):
        erreurs["fichier"] = "Joignez un fichier ou indiquez un lien."
    for champ in ("serie", "evenement", "schema"):
        objet = champs.get(champ)
        if objet is not None and objet.departement_id != departement.pk:
            erreurs[champ] = "Choisissez un élément du même département."
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        ressource = Ressource(departement=departement, titre=titre, publie_par=par, **champs)
        if fichier is not None:
            ressource.nom_fichier = nom_fichier or getattr(fichier, "name", "") or "document"
            ressource.fichier.save(ressource.nom_fichier, fichier, save=False)
        ressource.save()
        ressource.etiquettes.set(etiquettes_obtenir(etiquettes))
    return ressource


def actualite_creer(
    *, par, departement, titre: str, date: datetime.date, resume: str, texte: str, auteur_libelle: str = "",
    etiquettes=(), statut: str = Actualite.Statut.BROUILLON, evenement: Evenement | None = None,
) -> Actualite:  # fmt: skip
    exiger_droit(par, "reseau.publier", departement)
    erreurs: dict[str, str] = {}
    titre = valider_texte(erreurs, "titre", titre, limite=LONGUEUR_TITRE, obligatoire="Donnez un titre.")
    resume = valider_texte(
        erreurs, "resume", resume, limite=600, obligatoire="Écrivez un résumé (il apparaît dans la liste)."
    )
    texte = valider_texte(erreurs, "texte", texte, limite=100_000, obligatoire="Écrivez le texte de l'actualité.")
    auteur_libelle = auteur_libelle or (getattr(par, "get_full_name", lambda: "")() or getattr(par, "email", ""))
    auteur_libelle = valider_texte(
        erreurs, "auteur_libelle", auteur_libelle, limite=150, obligatoire="Indiquez l'auteur."
    )
    if not isinstance(date, datetime.date):
        erreurs["date"] = "Indiquez la date de publication."
    valider_choix(erreurs, "statut", statut, Actualite.Statut.choices, message="Choisissez un statut.")
    if evenement is not None and evenement.departement_id != departement.pk:
        erreurs["evenement"] = "Choisissez un événement du même département."
    lever_erreurs(erreurs)
    with transaction.atomic(), acteur(par):
        actualite = Actualite.objects.create(
            departement=departement, titre=titre, date=date, resume=resume, texte=texte, statut=statut,
            auteur_libelle=auteur_libelle, auteur=par if getattr(par, "is_authenticated", False) else None,
            evenement=evenement,
        )  # fmt: skip
        actualite.etiquettes.set(etiquettes_obtenir(etiquettes))
    return actualite


__all__ = [
    "InscriptionImpossible",
    "actualite_creer",
    "evenement_creer",
    "evenement_modifier",
    "inscription_annuler",
    "inscription_creer",
    "inscription_modifier",
    "inscription_par_code",
    "inscription_promouvoir",
    "inscription_sur_place",
    "normaliser_email",
    "personne_creer",
    "presence_pointer",
    "raison_fermeture",
    "ressource_creer",
    "serie_creer",
    "session_ajouter",
]
