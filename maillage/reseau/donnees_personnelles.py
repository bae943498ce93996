"""Personal data of the network (registered with maillage.core.donnees_personnelles, loaded by
ReseauConfig.ready()): the person's entry in the annuaire (with its legal basis and consent), their registrations
to events (identity, sessions, presence), their invitations and the e-mails sent to them, their answers to
satisfaction surveys. See docs/donnees-personnelles.md.

Erasure deletes the annuaire entry, invitations and recipients rows; registrations stay for the attendance
statistics (category, organisation type, presence) with every field that names the person replaced."""

from maillage.core import donnees_personnelles as registre
from maillage.core.audit import entrees_anonymiser

from .models import Destinataire, Inscription, Invitation, Personne


def _iso(valeur):
    return valeur.isoformat() if valeur else None


def _exporter(email) -> list[dict]:
    donnees = [
        {
            "type": "personne de l'annuaire du réseau",
            "departement": p.departement_id,
            "nom": p.nom,
            "prenom": p.prenom,
            "fonction": p.fonction,
            "organisation": p.organisation.nom if p.organisation else "",
            "categorie": p.get_categorie_display(),
            "email": p.email,
            "telephone": p.telephone,
            "base_legale": p.get_base_legale_display(),
            "consentement_le": _iso(p.consentement_le),
            "consentement_objet": p.consentement_objet,
            "opposition_le": _iso(p.opposition_le),
        }
        for p in Personne.objects.filter(email=email).select_related("organisation")
    ]
    for i in Inscription.objects.filter(email=email).select_related("evenement").prefetch_related("choix__session"):
        donnees.append(
            {
                "type": "inscription à un événement",
                "evenement": i.evenement.titre,
                "date_evenement": _iso(i.evenement.debut),
                "statut": i.get_statut_display(),
                "nom": i.nom,
                "prenom": i.prenom,
                "email": i.email,
                "telephone": i.telephone,
                "fonction": i.fonction,
                "organisation": i.organisation_nom,
                "categorie": i.get_categorie_display(),
                "code": i.code,
                "sessions": [c.session.titre for c in i.choix.all()],
                "inscrit_le": _iso(i.cree_le),
                "present_le": _iso(i.present_le),
                "consentement_le": _iso(i.consentement_le),
                "reponse_satisfaction": getattr(getattr(i, "reponse_satisfaction", None), "reponses", None),
            }
        )
    donnees += [
        {"type": "invitation à un événement", "evenement": v.evenement.titre, "le": _iso(v.cree_le)}
        for v in Invitation.objects.filter(email=email).select_related("evenement")
    ]
    donnees += [
        {"type": "e-mail envoyé", "objet": d.envoi.objet, "statut": d.get_statut_display(), "le": _iso(d.envoye_le)}
        for d in Destinataire.objects.filter(email=email).select_related("envoi")
    ]
    return donnees


def _departements(email) -> set[str]:
    return (
        set(Personne.objects.filter(email=email).values_list("departement_id", flat=True))
        | set(Inscription.objects.filter(email=email).values_list("evenement__departement_id", flat=True))
        | set(Invitation.objects.filter(email=email).values_list("evenement__departement_id", flat=True))
    )


# Values that name the person in the audit entries of the network's objects (blanked at erasure).
CHAMPS_PERSONNE = ["nom", "prenom", "fonction", "email", "telephone", "consentement_objet"]
CHAMPS_INSCRIPTION = ["nom", "prenom", "email", "telephone", "fonction", "organisation_nom", "compte", "personne"]
CHAMPS_INVITATION = ["email", "nom", "personne"]


def _effacer(email) -> str:
    # The audit trail keeps who changed what and when, not the person's values (as the other sources do).
    entrees_anonymiser(Personne, Personne.objects.filter(email=email).values_list("pk", flat=True), CHAMPS_PERSONNE)
    entrees_anonymiser(
        Invitation, Invitation.objects.filter(email=email).values_list("pk", flat=True), CHAMPS_INVITATION
    )
    entrees_anonymiser(
        Inscription, Inscription.objects.filter(email=email).values_list("pk", flat=True), CHAMPS_INSCRIPTION
    )
    personnes = Personne.objects.filter(email=email).delete()[1].get("reseau.Personne", 0)
    invitations = Invitation.objects.filter(email=email).delete()[1].get("reseau.Invitation", 0)
    Destinataire.objects.filter(email=email).update(email="efface@invalid", nom=registre.EFFACE)
    inscriptions = 0
    for inscription in Inscription.objects.filter(email=email):
        inscription.nom = registre.EFFACE
        inscription.prenom = ""
        inscription.email = f"efface-{inscription.pk}@invalid"
        inscription.telephone = ""
        inscription.fonction = ""
        inscription.organisation_nom = ""
        inscription.compte = None
        inscription.personne = None
        inscription.save()
        inscriptions += 1
    morceaux = []
    if personnes:
        morceaux.append(f"{personnes} fiche(s) de l'annuaire supprimée(s)")
    if inscriptions:
        morceaux.append(f"{inscriptions} inscription(s) anonymisée(s) (gardées pour les statistiques de présence)")
    if invitations:
        morceaux.append(f"{invitations} invitation(s) supprimée(s)")
    return ", ".join(morceaux) or "aucune donnée"


registre.source(
    "reseau",
    libelle="Réseau : annuaire, inscriptions aux événements, invitations, e-mails, enquêtes de satisfaction",
    exporter=_exporter,
    departements=_departements,
    effacer=_effacer,
)
