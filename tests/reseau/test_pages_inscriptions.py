"""Registration pages: public form, one click with an account, invitation link, personal page (token = access,
QR code, change, cancel), my registrations, the organisers' list, export and addition — and their denials."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from maillage.core.roles import Role
from maillage.reseau.models import Evenement, Inscription, Invitation
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import (
    EvenementFactory,
    InscriptionFactory,
    PersonneFactory,
    SessionProgrammeFactory,
    dans,
)
from tests.territoires.factories import DepartementFactory

pytestmark = pytest.mark.django_db


def _donnees(n=1, **k):
    return {"nom": f"Martin{n}", "prenom": "Camille", "email": f"camille{n}@exemple.fr", "categorie": "evs", **k}


@pytest.fixture
def ev(territoire_94):
    return EvenementFactory(departement=territoire_94.departement, capacite=1)


@pytest.fixture
def pilote(territoire_94):
    return UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement])


def _secrete(reponse):
    assert reponse["Referrer-Policy"] == "same-origin"
    assert reponse["Cache-Control"] == "private, no-store"


# --- Public form ---------------------------------------------------------------------------------------------------


def test_formulaire_public_montre_les_places_et_le_consentement(client, ev):
    SessionProgrammeFactory(evenement=ev, titre="Atelier jeunesse", capacite=12)
    reponse = client.get(reverse("reseau:inscrire", args=[ev.pk]))
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert "Atelier jeunesse" in texte and "12 places restantes" in texte
    assert "recontacté·e par le réseau" in texte and "article 6.1.a" in texte
    assert "Ce que nous faisons de vos données" in texte


def test_inscription_confirmee_puis_liste_d_attente(client, ev, territoire_94, django_capture_on_commit_callbacks):
    url = reverse("reseau:inscrire", args=[ev.pk])
    with django_capture_on_commit_callbacks(execute=True):
        a = client.post(url, _donnees(1, commune=territoire_94.communes[0].pk, consentement="on"))
    premiere = Inscription.objects.get(email="camille1@exemple.fr")
    assert a.status_code == 302 and a["Location"] == reverse("reseau:inscription", args=[premiere.jeton])
    assert premiere.statut == Inscription.Statut.CONFIRMEE and premiere.consentement_le is not None
    assert premiere.commune_id == "94028" and premiere.origine == Inscription.Origine.FORMULAIRE
    assert len(mail.outbox) == 1
    b = client.post(url, _donnees(2), follow=True)
    assert "liste d'attente" in b.content.decode()
    assert Inscription.objects.get(email="camille2@exemple.fr").statut == Inscription.Statut.LISTE_ATTENTE


def test_meme_adresse_message_neutre_et_lien_renvoye(client, ev, django_capture_on_commit_callbacks):
    existante = InscriptionFactory(evenement=ev, email="camille1@exemple.fr", telephone="0102030405")
    mail.outbox.clear()
    reponse = client.post(reverse("reseau:inscrire", args=[ev.pk]), _donnees(1))
    texte = reponse.content.decode()
    assert reponse.status_code == 200 and "lien personnel" in texte
    assert existante.code not in texte and existante.jeton not in texte and "0102030405" not in texte
    assert Inscription.objects.filter(evenement=ev).count() == 1
    assert [m.to for m in mail.outbox] == [["camille1@exemple.fr"]]


def test_double_envoi_avec_le_meme_jeton_ne_cree_qu_une_inscription(client, ev):
    url = reverse("reseau:inscrire", args=[ev.pk])
    jeton = "a" * 32
    premier = client.post(url, {**_donnees(1), "jeton_formulaire": jeton})
    second = client.post(url, {**_donnees(1), "jeton_formulaire": jeton})
    assert premier.status_code == second.status_code == 302
    assert second["Location"] == premier["Location"]
    assert Inscription.objects.filter(evenement=ev).count() == 1


def test_erreurs_affichees_toutes_ensemble(client, ev):
    reponse = client.post(reverse("reseau:inscrire", args=[ev.pk]), {"nom": "", "email": "x", "categorie": "?"})
    assert reponse.status_code == 200
    assert set(reponse.context["form"].errors) == {"nom", "email", "categorie"}
    assert not Inscription.objects.exists()


def test_evenement_ferme_ou_passe_message(client, territoire_94):
    ferme = EvenementFactory(departement=territoire_94.departement, inscriptions_fermees=True)
    passe = EvenementFactory(departement=territoire_94.departement, debut=dans(-2), fin=dans(-2, 17))
    assert "fermées" in client.get(reverse("reseau:inscrire", args=[ferme.pk])).content.decode()
    reponse = client.post(reverse("reseau:inscrire", args=[passe.pk]), _donnees(1))
    assert "passé" in reponse.content.decode() and not Inscription.objects.exists()
    complet = EvenementFactory(departement=territoire_94.departement, capacite=1, liste_attente=False)
    InscriptionFactory(evenement=complet)
    assert "complet" in client.get(reverse("reseau:inscrire", args=[complet.pk])).content.decode()


def test_anonyme_sur_invitation_ou_reseau_refuse_avec_explication(client, territoire_94):
    sur_invitation = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.INVITATION)
    reponse = client.post(reverse("reseau:inscrire", args=[sur_invitation.pk]), _donnees(1))
    assert reponse.status_code == 403 and "lien personnel" in reponse.content.decode()
    reseau = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.RESEAU, titre="Secret")
    reponse = client.get(reverse("reseau:inscrire", args=[reseau.pk]))
    assert reponse.status_code == 403 and "connectez-vous" in reponse.content.decode()
    assert "Secret" not in reponse.content.decode()
    assert not Inscription.objects.exists()


def test_brouillon_et_evenement_d_un_autre_departement_introuvables(client, territoire_94):
    brouillon = EvenementFactory(departement=territoire_94.departement, statut=Evenement.Statut.BROUILLON)
    assert client.get(reverse("reseau:inscrire", args=[brouillon.pk])).status_code == 404
    autre = EvenementFactory(departement=DepartementFactory(code="93"), acces=Evenement.Acces.RESEAU)
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement]))
    assert client.get(reverse("reseau:inscrire", args=[autre.pk])).status_code == 404


def test_un_clic_avec_un_compte(client, territoire_94):
    reseau = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.RESEAU)
    compte = UtilisateurFactory(
        role=Role.PARTENAIRE, departements=[territoire_94.departement], email="Partenaire@Exemple.fr",
        last_name="Lefèvre", first_name="Sam",
    )  # fmt: skip
    client.force_login(compte)
    page = client.get(reverse("reseau:inscrire", args=[reseau.pk]))
    assert page.status_code == 200 and page.context["form"]["nom"].value() == "Lefèvre"
    # The e-mail is the account's whatever is posted.
    reponse = client.post(reverse("reseau:inscrire", args=[reseau.pk]), _donnees(1, nom="Lefèvre"))
    inscription = Inscription.objects.get(evenement=reseau)
    assert reponse.status_code == 302 and inscription.email == "partenaire@exemple.fr"
    assert inscription.origine == Inscription.Origine.COMPTE and inscription.compte == compte
    again = client.post(reverse("reseau:inscrire", args=[reseau.pk]), _donnees(1, nom="Lefèvre"))
    assert again["Location"] == reverse("reseau:inscription", args=[inscription.jeton])


def test_frein_du_formulaire_public(client, ev, settings):
    settings.RESEAU_FREINS = {"inscription": "2/h"}
    url = reverse("reseau:inscrire", args=[ev.pk])
    for n in (1, 2):
        assert client.post(url, _donnees(n)).status_code == 302
    reponse = client.post(url, _donnees(3))
    assert reponse.status_code == 429 and "Trop de demandes" in reponse.content.decode()
    assert not Inscription.objects.filter(email="camille3@exemple.fr").exists()
    assert client.get(url).status_code == 200  # reading is not counted


# --- Invitation ----------------------------------------------------------------------------------------------------


def test_invitation_preremplie_et_rattachee(client, territoire_94):
    ev = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.INVITATION)
    personne = PersonneFactory(departement=territoire_94.departement, nom="Roux", email="roux@exemple.fr")
    invitation = Invitation.objects.create(evenement=ev, personne=personne, email=personne.email)
    url = reverse("reseau:invitation", args=[invitation.jeton])
    page = client.get(url)
    _secrete(page)
    assert page.status_code == 200 and page.context["form"]["nom"].value() == "Roux"
    assert '<meta name="robots" content="noindex">' in page.content.decode()
    reponse = client.post(url, _donnees(1, nom="Roux", email="autre@exemple.fr"))
    inscription = Inscription.objects.get(evenement=ev)
    assert reponse.status_code == 302 and inscription.email == "roux@exemple.fr"
    assert inscription.invitation == invitation and inscription.personne == personne
    assert inscription.origine == Inscription.Origine.INVITATION
    # Again: straight to the personal page.
    assert client.get(url)["Location"] == reverse("reseau:inscription", args=[inscription.jeton])


def test_invitation_inconnue_404(client, db):
    reponse = client.get(reverse("reseau:invitation", args=["inconnu"]))
    assert reponse.status_code == 404 and "Lien introuvable" in reponse.content.decode()
    _secrete(reponse)


# --- Personal page -------------------------------------------------------------------------------------------------


def test_page_personnelle_code_qr_et_entetes(client, ev):
    inscription = InscriptionFactory(evenement=ev)
    reponse = client.get(reverse("reseau:inscription", args=[inscription.jeton]))
    _secrete(reponse)
    texte = reponse.content.decode()
    assert inscription.code in texte and "Confirmée" in texte and 'content="noindex' in texte
    assert reverse("reseau:inscription_qr", args=[inscription.jeton]) in texte
    qr = client.get(reverse("reseau:inscription_qr", args=[inscription.jeton]))
    _secrete(qr)
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<?xml") and b"<svg" in qr.content


def test_jeton_faux_ou_d_un_autre_objet_404(client, ev):
    inscription = InscriptionFactory(evenement=ev)
    invitation = Invitation.objects.create(evenement=ev, email="x@exemple.fr")
    for nom in ("inscription", "inscription_qr", "inscription_annuler"):
        assert client.get(reverse(f"reseau:{nom}", args=["faux"])).status_code == 404
        # An invitation's token is not a registration's.
        assert client.get(reverse(f"reseau:{nom}", args=[invitation.jeton])).status_code == 404
    assert client.get(reverse("reseau:invitation", args=[inscription.jeton])).status_code == 404


def test_position_sur_la_liste_d_attente(client, ev):
    InscriptionFactory(evenement=ev)
    InscriptionFactory(evenement=ev, statut=Inscription.Statut.LISTE_ATTENTE)
    seconde = InscriptionFactory(evenement=ev, statut=Inscription.Statut.LISTE_ATTENTE)
    reponse = client.get(reverse("reseau:inscription", args=[seconde.jeton]))
    assert "2e sur la liste d'attente" in reponse.content.decode()


def test_modifier_ses_informations_et_ateliers(client, ev):
    atelier = SessionProgrammeFactory(evenement=ev)
    inscription = InscriptionFactory(evenement=ev, email="camille1@exemple.fr")
    url = reverse("reseau:inscription", args=[inscription.jeton])
    version = client.get(url).context["form"]["version"].value()
    reponse = client.post(url, {**_donnees(1, nom="Nouveau"), "sessions": [atelier.pk], "version": version})
    assert reponse.status_code == 302
    inscription.refresh_from_db()
    assert inscription.nom == "Nouveau" and [c.session_id for c in inscription.choix.all()] == [atelier.pk]
    perime = client.post(url, {**_donnees(1, nom="Encore"), "version": version})
    assert perime.status_code == 200 and perime.context["form"].errors
    inscription.refresh_from_db()
    assert inscription.nom == "Nouveau"


def test_un_autre_compte_connecte_avec_le_lien_peut_annuler(client, ev, territoire_94):
    # The link is the access: a logged-in visitor who is not the registration's account is not refused.
    inscription = InscriptionFactory(evenement=ev)
    client.force_login(UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement]))
    reponse = client.post(reverse("reseau:inscription_annuler", args=[inscription.jeton]))
    assert reponse.status_code == 302
    inscription.refresh_from_db()
    assert inscription.statut == Inscription.Statut.ANNULEE


def test_annuler_promeut_la_liste_d_attente(client, ev, django_capture_on_commit_callbacks):
    a = InscriptionFactory(evenement=ev)
    b = InscriptionFactory(evenement=ev, statut=Inscription.Statut.LISTE_ATTENTE)
    url = reverse("reseau:inscription_annuler", args=[a.jeton])
    confirmation = client.get(url)
    _secrete(confirmation)
    assert "Confirmer l'annulation" in confirmation.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(url)
    assert reponse.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.statut == Inscription.Statut.ANNULEE and b.statut == Inscription.Statut.CONFIRMEE
    page = client.get(reverse("reseau:inscription", args=[a.jeton])).content.decode()
    assert "Annulée" in page and "Modifier mes informations" not in page


# --- My registrations -------------------------------------------------------------------------------------------


def test_mes_inscriptions_par_compte_ou_adresse(client, ev, territoire_94):
    compte = UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement], email="moi@exemple.fr")
    mienne = InscriptionFactory(evenement=ev, email="moi@exemple.fr")
    autre_ev = EvenementFactory(departement=territoire_94.departement)
    par_compte = InscriptionFactory(evenement=autre_ev, email="ancienne@exemple.fr", compte=compte)
    pas_la_mienne = InscriptionFactory(evenement=ev)
    assert client.get(reverse("reseau:mes_inscriptions")).status_code == 302
    client.force_login(compte)
    texte = client.get(reverse("reseau:mes_inscriptions")).content.decode()
    assert mienne.jeton in texte and par_compte.jeton in texte and pas_la_mienne.jeton not in texte


# --- Organisers -----------------------------------------------------------------------------------------------------


def test_liste_des_inscrits_filtres_et_requetes_constantes(client, ev, pilote, django_assert_max_num_queries):
    ev.capacite = 5
    ev.save()
    # Words found in no other field (factory names and e-mails carry sequence numbers).
    for fleur in ("Lilas", "Iris", "Tilleuls", "Acacias", "Peupliers"):
        InscriptionFactory(evenement=ev, organisation_nom=f"Centre des {fleur}")
    for n in range(30):
        InscriptionFactory(evenement=ev, statut=Inscription.Statut.LISTE_ATTENTE, nom=f"Attente{n:02d}")
    client.force_login(pilote)
    url = reverse("reseau:inscriptions", args=[ev.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        reponse = client.get(url)
    assert reponse.status_code == 200 and reponse.context["compteurs"]["liste_attente"] == 30
    attente = client.get(url, {"statut": "liste_attente"})
    noms = [i.nom for i in attente.context["lignes"]]
    assert noms[:2] == ["Attente00", "Attente01"] and attente.context["lignes"][0].position == 1
    recherche = client.get(url, {"q": "centre iris"})
    assert [i.organisation_nom for i in recherche.context["lignes"]] == ["Centre des Iris"]


def test_actions_annuler_et_confirmer(client, ev, pilote, django_capture_on_commit_callbacks):
    a = InscriptionFactory(evenement=ev)
    b = InscriptionFactory(evenement=ev, statut=Inscription.Statut.LISTE_ATTENTE)
    c = InscriptionFactory(evenement=ev, statut=Inscription.Statut.LISTE_ATTENTE)
    client.force_login(pilote)
    url = reverse("reseau:inscriptions", args=[ev.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "annuler", "inscription": a.pk})
        client.post(url, {"action": "promouvoir", "inscription": c.pk})
    for i in (a, b, c):
        i.refresh_from_db()
    assert (a.statut, b.statut, c.statut) == ("annulee", "confirmee", "confirmee")
    autre = InscriptionFactory(evenement=EvenementFactory(departement=ev.departement))
    reponse = client.post(url, {"action": "annuler", "inscription": autre.pk}, follow=True)
    assert "introuvable" in reponse.content.decode()
    autre.refresh_from_db()
    assert autre.statut == Inscription.Statut.CONFIRMEE


def test_pages_organisateur_refusees(client, ev, territoire_94):
    urls = [
        reverse("reseau:inscriptions", args=[ev.pk]),
        reverse("reseau:inscriptions_export", args=[ev.pk, "csv"]),
        reverse("reseau:inscription_ajouter", args=[ev.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous → login
    autre_dep = DepartementFactory(code="93")
    for compte in (
        UtilisateurFactory(role=Role.PILOTE, departements=[autre_dep]),
        UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement]),
        UtilisateurFactory(role=Role.STRUCTURE, departements=[territoire_94.departement]),
    ):
        client.force_login(compte)
        for url in urls:
            assert client.get(url).status_code == 403, (compte.role, url)
        inscription = InscriptionFactory(evenement=ev)
        client.post(urls[0], {"action": "annuler", "inscription": inscription.pk})
        inscription.refresh_from_db()
        assert inscription.statut == Inscription.Statut.CONFIRMEE


def test_export_csv_minimal_et_xlsx_avec_coordonnees(client, ev, pilote):
    InscriptionFactory(evenement=ev, nom="=HYPERLINK(1)", email="a@exemple.fr", telephone="0102030405")
    client.force_login(pilote)
    csv = client.get(reverse("reseau:inscriptions_export", args=[ev.pk, "csv"]))
    texte = csv.content.decode("utf-8-sig")
    assert csv["Content-Disposition"].startswith("attachment")
    assert texte.splitlines()[0] == "Nom;Prénom;Organisation;Catégorie;Statut;Présent·e"
    assert "'=HYPERLINK(1)" in texte and "a@exemple.fr" not in texte and "0102030405" not in texte
    xlsx = client.get(reverse("reseau:inscriptions_export", args=[ev.pk, "xlsx"]), {"coordonnees": "1"})
    feuille = load_workbook(io.BytesIO(xlsx.content)).active
    lignes = list(feuille.values)
    assert lignes[0][-2:] == ("Adresse e-mail", "Téléphone") and lignes[1][-2:] == ("a@exemple.fr", "0102030405")
    # For people: Oui/Non, never True/False or lower-case codes.
    presence = lignes[0].index("Présent·e")
    assert {ligne[presence] for ligne in lignes[1:]} <= {"Oui", "Non"}
    assert client.get(reverse("reseau:inscriptions_export", args=[ev.pk, "pdf"])).status_code == 404


def test_organisateur_ajoute_une_inscription(client, territoire_94, pilote):
    ev = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.INVITATION)
    client.force_login(pilote)
    url = reverse("reseau:inscription_ajouter", args=[ev.pk])
    assert client.get(url).status_code == 200
    reponse = client.post(url, _donnees(1))
    assert reponse.status_code == 302
    assert Inscription.objects.get(evenement=ev).origine == Inscription.Origine.ORGANISATEUR


def test_pages_secretes_gardent_la_verification_csrf(ev):
    # The personal link proves who may act, the CSRF check that the request comes from this site's page.
    from django.test import Client

    navigateur = Client(enforce_csrf_checks=True)
    inscription = InscriptionFactory(evenement=ev)
    url = reverse("reseau:inscription_annuler", args=[inscription.jeton])
    assert navigateur.post(url, headers={"Origin": "https://autre-site.example"}).status_code == 403
    inscription.refresh_from_db()
    assert inscription.statut == Inscription.Statut.CONFIRMEE
    page = navigateur.get(reverse("reseau:inscription", args=[inscription.jeton]))
    jeton_csrf = page.cookies["csrftoken"].value
    reponse = navigateur.post(url, {"csrfmiddlewaretoken": jeton_csrf})
    assert reponse.status_code == 302
    inscription.refresh_from_db()
    assert inscription.statut == Inscription.Statut.ANNULEE
