"""E-mail batches of an event: choice of recipients (category, territory, list, by hand, opposition and the other
reasons to leave someone out), personal invitation tokens (one per e-mail, reused), the sending task (text and
HTML parts, iCalendar, never twice, one failure does not stop the others), 5,000 recipients without N+1, and the
pages with their denials."""

import time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from maillage.comptes.models import Role
from maillage.core.models import Travail
from maillage.reseau import selectors_envois, services_envois, taches
from maillage.reseau.models import (
    Categorie,
    Destinataire,
    Envoi,
    Evenement,
    Inscription,
    Invitation,
    ListeDiffusion,
    Personne,
)
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory, InscriptionFactory, PersonneFactory
from tests.territoires.factories import DepartementFactory


@pytest.fixture
def contexte(territoire_94):
    dep = territoire_94.departement
    creteil, vitry, ivry = territoire_94.communes
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    ev = EvenementFactory(departement=dep, titre="Journée départementale d'animation", acces="invitation")
    return dep, (creteil, vitry, ivry), pilote, ev


def _emails(selection):
    return sorted(p.email for p in selection.retenus)


def _inviter(pilote, ev, **criteres):
    return services_envois.envoi_creer(
        par=pilote, evenement=ev, nature="invitation", objet=f"Invitation — {ev.titre}", message="Venez !", **criteres
    )


# --- Choice of recipients --------------------------------------------------------------------------------------


def test_selection_par_categorie_et_territoire(contexte):
    dep, (creteil, vitry, _), _, ev = contexte
    PersonneFactory(departement=dep, email="elu.creteil@exemple.fr", categorie=Categorie.ELU, commune=creteil)
    PersonneFactory(departement=dep, email="elu.vitry@exemple.fr", categorie=Categorie.ELU, commune=vitry)
    PersonneFactory(departement=dep, email="cs.creteil@exemple.fr", categorie=Categorie.CENTRE_SOCIAL, commune=creteil)
    PersonneFactory(departement=DepartementFactory(code="93"), email="elu.ailleurs@exemple.fr", categorie=Categorie.ELU)

    assert _emails(selectors_envois.destinataires(ev, categories=["elu"])) == [
        "elu.creteil@exemple.fr",
        "elu.vitry@exemple.fr",
    ]
    assert _emails(selectors_envois.destinataires(ev, categories=["elu"], communes=[creteil.pk])) == [
        "elu.creteil@exemple.fr"
    ]
    assert _emails(selectors_envois.destinataires(ev, communes=[creteil])) == [
        "cs.creteil@exemple.fr",
        "elu.creteil@exemple.fr",
    ]


def test_selection_par_epci(contexte, territoire_94):
    dep, (creteil, _, _), _, ev = contexte
    PersonneFactory(departement=dep, email="a@exemple.fr", commune=creteil)
    PersonneFactory(departement=dep, email="sans.commune@exemple.fr")
    assert _emails(selectors_envois.destinataires(ev, epci=[territoire_94.epci.pk])) == ["a@exemple.fr"]


def test_selection_par_liste_et_a_la_main(contexte):
    dep, (creteil, vitry, _), _, ev = contexte
    rpe = PersonneFactory(departement=dep, email="rpe@exemple.fr", categorie=Categorie.RPE, commune=vitry)
    main = PersonneFactory(departement=dep, email="main@exemple.fr", categorie=Categorie.CAF)
    choisie = PersonneFactory(departement=dep, email="choisie@exemple.fr", categorie=Categorie.AUTRE)
    PersonneFactory(departement=dep, email="personne@exemple.fr", categorie=Categorie.AUTRE)
    liste = ListeDiffusion.objects.create(departement=dep, nom="Petite enfance", categories=["rpe"])
    liste.personnes.add(main)

    assert set(selectors_envois.membres_liste(liste)) == {rpe, main}
    assert _emails(selectors_envois.destinataires(ev, listes=[liste.pk], personnes=[choisie.pk])) == [
        "choisie@exemple.fr",
        "main@exemple.fr",
        "rpe@exemple.fr",
    ]


def test_membres_d_une_liste_par_territoire(contexte, territoire_94):
    dep, (creteil, vitry, _), _, _ = contexte
    a = PersonneFactory(departement=dep, commune=creteil, categorie=Categorie.EVS)
    PersonneFactory(departement=dep, commune=vitry, categorie=Categorie.EVS)
    b = PersonneFactory(departement=dep, commune=creteil, categorie=Categorie.ELU)
    liste = ListeDiffusion.objects.create(departement=dep, nom="Créteil")
    liste.communes.add(creteil)
    assert set(selectors_envois.membres_liste(liste)) == {a, b}
    liste.categories = ["evs"]
    liste.save()
    assert set(selectors_envois.membres_liste(liste)) == {a}
    vide = ListeDiffusion.objects.create(departement=dep, nom="Vide")
    assert list(selectors_envois.membres_liste(vide)) == []


def test_personnes_ecartees_avec_leur_raison(contexte):
    dep, _, pilote, ev = contexte
    PersonneFactory(departement=dep, email="ok@exemple.fr")
    PersonneFactory(departement=dep, email="")
    PersonneFactory(departement=dep, email="oppose@exemple.fr", opposition_le=timezone.now())
    PersonneFactory(departement=dep, email="inscrit@exemple.fr")
    InscriptionFactory(evenement=ev, email="inscrit@exemple.fr")

    selection = selectors_envois.destinataires(ev, categories=["centre_social"])
    assert _emails(selection) == ["ok@exemple.fr"]
    assert selection.ecartes_par_raison() == {
        selectors_envois.SANS_EMAIL: 1,
        selectors_envois.OPPOSITION: 1,
        selectors_envois.DEJA_INSCRITE: 1,
    }

    envoi = _inviter(pilote, ev, categories=["centre_social"])
    ecartes = dict(envoi.destinataires.filter(statut="ecarte").values_list("email", "erreur"))
    assert ecartes == {
        "oppose@exemple.fr": selectors_envois.OPPOSITION,
        "inscrit@exemple.fr": selectors_envois.DEJA_INSCRITE,
    }
    assert envoi.criteres["sans_email"] == 1
    assert [m.to for m in mail.outbox] == [["ok@exemple.fr"]]
    # Invited once: a second batch leaves them out.
    selection = selectors_envois.destinataires(ev, categories=["centre_social"])
    assert selection.retenus == [] and selectors_envois.DEJA_INVITEE in selection.ecartes_par_raison()


def test_criteres_d_un_autre_departement_refuses(contexte):
    _, _, pilote, ev = contexte
    ailleurs = PersonneFactory(departement=DepartementFactory(code="93"), email="ailleurs@exemple.fr")
    liste = ListeDiffusion.objects.create(departement=ailleurs.departement, nom="Ailleurs")
    with pytest.raises(ValidationError) as erreur:
        _inviter(pilote, ev, personnes=[ailleurs.pk], listes=[liste.pk], communes=["75056"], categories=["inconnue"])
    assert set(erreur.value.message_dict) == {"personnes", "listes", "communes", "categories"}
    assert Envoi.objects.count() == 0


def test_aucun_destinataire_refuse(contexte):
    _, _, pilote, ev = contexte
    with pytest.raises(ValidationError, match="Choisissez au moins"):
        _inviter(pilote, ev)
    with pytest.raises(ValidationError, match="Aucun destinataire"):
        _inviter(pilote, ev, categories=["elu"])


def test_service_refuse_hors_departement(contexte):
    dep, _, _, ev = contexte
    PersonneFactory(departement=dep)
    autre = UtilisateurFactory(role=Role.PILOTE, departements=[DepartementFactory(code="93")])
    partenaire = UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep])
    for par in (autre, partenaire):
        with pytest.raises(PermissionDenied):
            _inviter(par, ev, categories=["centre_social"])


# --- Invitations and tokens -------------------------------------------------------------------------------------


def test_jetons_uniques_et_reutilises(contexte):
    dep, _, pilote, ev = contexte
    a = PersonneFactory(departement=dep, email="a@exemple.fr")
    b = PersonneFactory(departement=dep, email="b@exemple.fr")
    deja = Invitation.objects.create(evenement=ev, email="a@exemple.fr", personne=a)

    envoi = _inviter(pilote, ev, personnes=[a.pk, b.pk])
    invitations = {i.email: i for i in Invitation.objects.filter(evenement=ev)}
    assert set(invitations) == {"a@exemple.fr", "b@exemple.fr"}
    assert invitations["a@exemple.fr"].jeton == deja.jeton
    assert invitations["a@exemple.fr"].jeton != invitations["b@exemple.fr"].jeton
    lien_a = reverse("reseau:invitation", args=[deja.jeton])
    courriel_a = next(m for m in mail.outbox if m.to == ["a@exemple.fr"])
    assert lien_a in courriel_a.body
    # The same person invited to another event gets another token.
    autre = EvenementFactory(departement=dep)
    _inviter(pilote, autre, personnes=[a.pk])
    assert Invitation.objects.get(evenement=autre).jeton != deja.jeton
    assert envoi.destinataires.filter(invitation__isnull=True).count() == 0


# --- Sending ----------------------------------------------------------------------------------------------------


def test_courriel_texte_html_ics_et_objet_en_francais(contexte):
    dep, _, pilote, ev = contexte
    PersonneFactory(departement=dep, email="a@exemple.fr", prenom="Dominique", nom="Ferrand")
    _inviter(pilote, ev, categories=["centre_social"])
    (courriel,) = mail.outbox
    assert courriel.subject == "Invitation — Journée départementale d'animation"
    assert "Bonjour Dominique Ferrand" in courriel.body
    assert "&#x27;" not in courriel.body and "d'animation" in courriel.body
    assert courriel.body.startswith("Bonjour") and "Objet :" not in courriel.body
    ((html, type_html),) = courriel.alternatives
    assert type_html == "text/html" and 'lang="fr"' in html and "/evenements/invitation/" in html
    (piece,) = courriel.attachments
    assert piece[0].endswith(".ics") and piece[2].startswith("text/calendar")
    calendrier = Calendar.from_ical(piece[1])
    (vevent,) = calendrier.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == ev.titre
    assert courriel.extra_headers["Content-Language"] == "fr"


def test_envoi_idempotent_un_courriel_chacun(contexte):
    dep, _, pilote, ev = contexte
    for i in range(3):
        PersonneFactory(departement=dep, email=f"p{i}@exemple.fr")
    envoi = _inviter(pilote, ev, categories=["centre_social"])
    assert len(mail.outbox) == 3
    taches.envoyer(envoi.pk)
    taches.envoyer(envoi.pk, travail_id="autre")
    assert len(mail.outbox) == 3
    envoi.refresh_from_db()
    assert envoi.statut == Envoi.Statut.TERMINE and envoi.termine_le is not None
    assert envoi.id_travail and Travail.objects.get(pk=envoi.id_travail).statut == Travail.Statut.TERMINE
    assert set(envoi.destinataires.values_list("statut", flat=True)) == {"envoye"}


def test_un_envoi_interrompu_ne_renvoie_jamais(contexte):
    """Rows claimed by a worker that stopped are not sent again automatically: they become uncertain failures."""
    dep, _, pilote, ev = contexte
    for i in range(3):
        PersonneFactory(departement=dep, email=f"p{i}@exemple.fr")
    envoi = services_envois.envoi_creer(
        par=pilote, evenement=ev, nature="invitation", objet="Invitation", categories=["centre_social"], lancer=False
    )
    perdu = Travail.objects.create(nature="reseau.envoi", libelle="perdu", statut=Travail.Statut.ECHEC)
    reclame = envoi.destinataires.order_by("pk").first()
    Destinataire.objects.filter(pk=reclame.pk).update(erreur=f"{taches.MARQUE}{perdu.pk}")
    taches.envoyer(envoi.pk, travail_id="nouveau")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        envoi.destinataires.exclude(pk=reclame.pk).values_list("email", flat=True)
    )
    reclame.refresh_from_db()
    assert reclame.statut == "echec" and reclame.erreur == taches.INTERROMPU


def test_un_envoi_relance_apres_arret_ne_renvoie_pas_ce_qu_il_avait_pris(contexte):
    """The same job queued again after its worker stopped (core.travaux.travaux_reprendre): the rows its first start
    had claimed may have left, so they become uncertain failures; the others are sent once."""
    dep, _, pilote, ev = contexte
    for i in range(3):
        PersonneFactory(departement=dep, email=f"p{i}@exemple.fr")
    envoi = services_envois.envoi_creer(
        par=pilote, evenement=ev, nature="invitation", objet="Invitation", categories=["centre_social"], lancer=False
    )
    travail = Travail.objects.create(nature="reseau.envoi", libelle="relancé", statut=Travail.Statut.EN_COURS)
    reclame = envoi.destinataires.order_by("pk").first()
    Destinataire.objects.filter(pk=reclame.pk).update(erreur=f"{taches.MARQUE}{travail.pk}")
    taches.envoyer(envoi.pk, travail_id=str(travail.pk))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        envoi.destinataires.exclude(pk=reclame.pk).values_list("email", flat=True)
    )
    reclame.refresh_from_db()
    assert reclame.statut == "echec" and reclame.erreur == taches.INTERROMPU
    assert not envoi.destinataires.filter(statut="a_envoyer").exists()


def test_un_echec_n_arrete_pas_les_autres(contexte, monkeypatch):
    dep, _, pilote, ev = contexte
    for nom in ("a", "b", "c"):
        PersonneFactory(departement=dep, email=f"{nom}@exemple.fr")
    from django.core.mail.backends.locmem import EmailBackend

    envoyer_origine = EmailBackend.send_messages

    def envoyer(self, messages):
        if any("b@exemple.fr" in m.to for m in messages):
            raise OSError("Adresse refusée par le serveur")
        return envoyer_origine(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", envoyer)
    envoi = _inviter(pilote, ev, categories=["centre_social"])
    assert sorted(m.to[0] for m in mail.outbox) == ["a@exemple.fr", "c@exemple.fr"]
    statuts = dict(envoi.destinataires.values_list("email", "statut"))
    assert statuts == {"a@exemple.fr": "envoye", "b@exemple.fr": "echec", "c@exemple.fr": "envoye"}
    assert envoi.destinataires.get(email="b@exemple.fr").erreur == "Adresse refusée par le serveur"

    # « Renvoyer les échecs » once the server accepts it: only b receives a message.
    monkeypatch.setattr(EmailBackend, "send_messages", envoyer_origine)
    assert services_envois.echecs_renvoyer(par=pilote, envoi=envoi) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["a@exemple.fr", "b@exemple.fr", "c@exemple.fr"]
    assert envoi.destinataires.filter(statut="envoye").count() == 3


def test_message_aux_inscrits_et_liste_d_attente(contexte):
    _, _, pilote, ev = contexte
    InscriptionFactory(evenement=ev, email="confirme@exemple.fr")
    InscriptionFactory(evenement=ev, email="attente@exemple.fr", statut=Inscription.Statut.LISTE_ATTENTE)
    InscriptionFactory(evenement=ev, email="annule@exemple.fr", statut=Inscription.Statut.ANNULEE)
    services_envois.envoi_creer(par=pilote, evenement=ev, nature="message", objet="Plan d'accès", message="Métro 8")
    assert [m.to for m in mail.outbox] == [["confirme@exemple.fr"]]
    assert "Métro 8" in mail.outbox[0].body and not mail.outbox[0].attachments
    services_envois.envoi_creer(
        par=pilote, evenement=ev, nature="message", objet="Plan", message="Bus", avec_attente=True
    )
    assert sorted(m.to[0] for m in mail.outbox[1:]) == ["attente@exemple.fr", "confirme@exemple.fr"]


def test_enquete_aux_presents_avec_leur_lien(contexte):
    _, _, pilote, ev = contexte
    present = InscriptionFactory(evenement=ev, email="present@exemple.fr", present_le=timezone.now())
    InscriptionFactory(evenement=ev, email="absent@exemple.fr")
    services_envois.envoi_creer(par=pilote, evenement=ev, nature="enquete", objet="Votre avis")
    (courriel,) = mail.outbox
    assert courriel.to == ["present@exemple.fr"]
    assert reverse("reseau:enquete_repondre", args=[present.jeton]) in courriel.body
    assert not courriel.attachments


def test_cinq_mille_destinataires_sans_n_plus_un(contexte, django_assert_max_num_queries):
    dep, _, pilote, ev = contexte
    Personne.objects.bulk_create(
        [
            Personne(departement=dep, nom=f"Nom{i}", prenom="Alex", categorie="evs", email=f"p{i}@exemple.fr")
            for i in range(5000)
        ],
        batch_size=1000,
    )
    debut = time.monotonic()
    with django_assert_max_num_queries(300):
        envoi = _inviter(pilote, ev, categories=["evs"])
    duree = time.monotonic() - debut
    assert len(mail.outbox) == 5000
    assert envoi.destinataires.filter(statut="envoye").count() == 5000
    assert Invitation.objects.filter(evenement=ev).count() == 5000
    assert duree < 60  # ~15 s on an idle machine; the bound only catches a regression


# --- Pages ------------------------------------------------------------------------------------------------------


def test_pages_refusees_aux_autres(client, contexte):
    dep, _, pilote, ev = contexte
    PersonneFactory(departement=dep)
    envoi = _inviter(pilote, ev, categories=["centre_social"])
    urls = [
        reverse("reseau:envois", args=[ev.pk]),
        reverse("reseau:envoi_creer", args=[ev.pk]),
        reverse("reseau:envoi", args=[ev.pk, envoi.pk]),
    ]
    for url in urls:
        reponse = client.get(url)
        assert reponse.status_code == 302 and "next=" in reponse["Location"]
    for role, deps in ((Role.PARTENAIRE, [dep]), (Role.STRUCTURE, [dep]), (Role.PILOTE, [])):
        client.force_login(UtilisateurFactory(role=role, departements=deps))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        assert client.post(urls[1], {"action": "envoyer"}).status_code == 403
        assert client.post(urls[2], {"action": "renvoyer"}).status_code == 403
    assert Envoi.objects.count() == 1


def test_envoi_d_un_autre_evenement_introuvable(client, contexte):
    dep, _, pilote, ev = contexte
    PersonneFactory(departement=dep)
    envoi = _inviter(pilote, ev, categories=["centre_social"])
    autre = EvenementFactory(departement=dep)
    client.force_login(pilote)
    assert client.get(reverse("reseau:envoi", args=[autre.pk, envoi.pk])).status_code == 404
    assert client.get(reverse("reseau:envois", args=[999999])).status_code == 404


def test_parcours_apercu_puis_envoi(client, contexte, django_assert_max_num_queries):
    dep, (creteil, _, _), pilote, ev = contexte
    for i in range(30):
        PersonneFactory(departement=dep, email=f"p{i}@exemple.fr", commune=creteil)
    client.force_login(pilote)
    url = reverse("reseau:envoi_creer", args=[ev.pk])
    page = client.get(url + "?nature=invitation")
    assert page.status_code == 200
    assert "Invitation — Journée départementale" in page.content.decode()

    donnees = {"nature": "invitation", "categories": ["centre_social"], "objet": "Invitation", "message": "Venez"}
    with django_assert_max_num_queries(30):
        apercu = client.post(url, {**donnees, "action": "apercu"})
    texte = apercu.content.decode()
    assert apercu.status_code == 200 and "30 destinataires" in texte and "Confirmer l'envoi à 30" in texte
    assert Envoi.objects.count() == 0 and not mail.outbox

    recherche = client.post(url, {**donnees, "recherche": "p7@", "action": "rechercher"})
    assert recherche.status_code == 200 and "p7@exemple.fr" in recherche.content.decode()
    assert "p8@exemple.fr" not in recherche.content.decode()

    reponse = client.post(url, {**donnees, "action": "envoyer"})
    envoi = Envoi.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("reseau:envoi", args=[ev.pk, envoi.pk])
    assert len(mail.outbox) == 30

    with django_assert_max_num_queries(15):
        detail = client.get(reponse["Location"] + "?statut=envoye")
    assert detail.status_code == 200 and "p1@exemple.fr" in detail.content.decode()
    assert "Page 1 sur 1" not in detail.content.decode()
    etat = client.get(reponse["Location"] + "?etat=1", headers={"HX-Request": "true"})
    assert etat.status_code == 200 and "hx-trigger" not in etat.content.decode()
    PersonneFactory(departement=dep, email="elu@exemple.fr", categorie=Categorie.ELU)
    services_envois.envoi_creer(par=pilote, evenement=ev, nature="invitation", objet="Bis", categories=["elu"])
    with django_assert_max_num_queries(12):
        liste = client.get(reverse("reseau:envois", args=[ev.pk]))
    assert liste.status_code == 200 and "Invitation" in liste.content.decode()


def test_formulaire_invalide_montre_toutes_les_erreurs(client, contexte):
    _, _, pilote, ev = contexte
    client.force_login(pilote)
    url = reverse("reseau:envoi_creer", args=[ev.pk])
    reponse = client.post(url, {"nature": "inconnue", "objet": "", "personnes": ["abc"], "action": "envoyer"})
    assert reponse.status_code == 422
    assert set(reponse.context["form"].errors) >= {"nature", "objet", "personnes"}
    reponse = client.post(url, {"nature": "invitation", "objet": "Invitation", "action": "envoyer"})
    assert reponse.status_code == 422 and "Choisissez au moins" in reponse.content.decode()


def test_rappel_refuse_pour_un_evenement_annule(contexte):
    _, _, pilote, ev = contexte
    InscriptionFactory(evenement=ev)
    Evenement.objects.filter(pk=ev.pk).update(statut=Evenement.Statut.ANNULE)
    ev.refresh_from_db()
    with pytest.raises(ValidationError, match="publié"):
        services_envois.envoi_creer(par=pilote, evenement=ev, nature="rappel", objet="Rappel")


def test_pas_d_invitation_a_un_brouillon(contexte):
    dep, _, pilote, ev = contexte
    PersonneFactory(departement=dep)
    Evenement.objects.filter(pk=ev.pk).update(statut=Evenement.Statut.BROUILLON)
    ev.refresh_from_db()
    with pytest.raises(ValidationError, match="Publiez"):
        _inviter(pilote, ev, categories=["centre_social"])
    assert Invitation.objects.count() == 0 and not mail.outbox


def test_avec_le_worker_la_requete_n_envoie_rien(client, contexte, settings):
    """With the database backend the page only queues the job: the worker sends later."""
    dep, _, pilote, ev = contexte
    PersonneFactory(departement=dep, email="a@exemple.fr")
    settings.TASKS = {"default": {**settings.TASKS["base"]}}
    client.force_login(pilote)
    donnees = {"nature": "invitation", "categories": ["centre_social"], "objet": "Invitation", "action": "envoyer"}
    reponse = client.post(reverse("reseau:envoi_creer", args=[ev.pk]), donnees)
    envoi = Envoi.objects.get()
    assert reponse.status_code == 302 and not mail.outbox
    assert envoi.statut == Envoi.Statut.EN_ATTENTE and envoi.id_travail
    assert envoi.destinataires.get().statut == Destinataire.Statut.A_ENVOYER
    page = client.get(reponse["Location"])
    assert 'hx-trigger="every 2s"' in page.content.decode()
    # What the worker does: run the task.
    taches.envoyer_envoi.call(travail_id=str(envoi.id_travail), envoi_id=envoi.pk)
    assert [m.to for m in mail.outbox] == [["a@exemple.fr"]]
    assert Travail.objects.get(pk=envoi.id_travail).statut == Travail.Statut.TERMINE
