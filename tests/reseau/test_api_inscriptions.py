"""POST /api/v1/evenements/{id}/inscriptions: anonymous registration to public events, the same e-mail again
(no code leaked), closed events, bad fields, invisible or invitation-only events, throttling."""

import json

import pytest
from django.core import mail
from django.test import Client

from maillage.core.roles import Role
from maillage.reseau.models import Evenement, Inscription
from tests.comptes.factories import UtilisateurFactory
from tests.reseau.factories import EvenementFactory, InscriptionFactory, SessionProgrammeFactory, dans

pytestmark = pytest.mark.django_db


def _url(ev):
    return f"/api/v1/evenements/{ev.pk}/inscriptions"


def _post(client, ev, **corps):
    donnees = {"nom": "Martin", "prenom": "Camille", "email": "camille@exemple.fr", "organisation": "EVS fictif",
               "categorie": "evs", **corps}  # fmt: skip
    return client.post(_url(ev), json.dumps(donnees), content_type="application/json")


@pytest.fixture
def ev(territoire_94):
    return EvenementFactory(departement=territoire_94.departement, capacite=1)


def test_anonyme_confirme_puis_liste_d_attente(client, ev, django_capture_on_commit_callbacks):
    atelier = SessionProgrammeFactory(evenement=ev)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _post(client, ev, sessions=[atelier.pk], consentement=True)
    assert reponse.status_code == 201, reponse.content
    inscription = Inscription.objects.get(email="camille@exemple.fr")
    assert reponse.json() == {"statut": "confirmee", "code": inscription.code, "detail": None}
    assert inscription.origine == Inscription.Origine.API and inscription.organisation_nom == "EVS fictif"
    assert inscription.consentement_le is not None and inscription.choix.count() == 1
    assert len(mail.outbox) == 1
    seconde = _post(client, ev, email="autre@exemple.fr")
    assert seconde.status_code == 201 and seconde.json()["statut"] == "liste_attente"


def test_meme_adresse_200_sans_code_et_lien_renvoye(client, ev):
    existante = InscriptionFactory(evenement=ev, email="camille@exemple.fr")
    mail.outbox.clear()
    reponse = _post(client, ev, email=" Camille@Exemple.fr ")
    corps = reponse.json()
    assert reponse.status_code == 200 and corps["code"] is None and corps["statut"] == "confirmee"
    assert "e-mail" in corps["detail"] and existante.code not in reponse.content.decode()
    assert [m.to for m in mail.outbox] == [["camille@exemple.fr"]]
    assert Inscription.objects.filter(evenement=ev).count() == 1


def test_meme_adresse_le_compte_connecte_recoit_son_code(territoire_94, ev):
    compte = UtilisateurFactory(role=Role.PARTENAIRE, departements=[territoire_94.departement],
                                email="camille@exemple.fr")  # fmt: skip
    client = Client(enforce_csrf_checks=True)
    client.force_login(compte)
    client.get(f"/evenements/{ev.pk}/inscription/")  # the form sets the CSRF cookie
    jeton = client.cookies["csrftoken"].value
    donnees = json.dumps({"nom": "Martin", "email": "camille@exemple.fr"})
    premiere = client.post(_url(ev), donnees, content_type="application/json", headers={"X-CSRFToken": jeton})
    inscription = Inscription.objects.get(evenement=ev)
    assert premiere.status_code == 201
    assert inscription.compte == compte and inscription.origine == Inscription.Origine.COMPTE
    seconde = client.post(_url(ev), donnees, content_type="application/json", headers={"X-CSRFToken": jeton})
    assert seconde.status_code == 200 and seconde.json()["code"] == inscription.code
    # Without the CSRF token the session is not trusted: no code.
    sans = client.post(_url(ev), donnees, content_type="application/json")
    assert sans.status_code == 200 and sans.json()["code"] is None


def test_ferme_ou_passe_409(client, territoire_94):
    ferme = EvenementFactory(departement=territoire_94.departement, inscriptions_fermees=True)
    reponse = _post(client, ferme)
    assert reponse.status_code == 409 and reponse.json() == {"detail": "Les inscriptions sont fermées."}
    passe = EvenementFactory(departement=territoire_94.departement, debut=dans(-2), fin=dans(-2, 17))
    assert _post(client, passe).status_code == 409


def test_champs_invalides_422_en_francais(client, ev):
    reponse = _post(client, ev, nom="", email="pas-une-adresse", categorie="inconnue")
    corps = reponse.json()
    assert reponse.status_code == 422 and set(corps["erreurs"]) == {"nom", "email", "categorie"}
    assert "Indiquez votre nom." in corps["erreurs"]["nom"]
    mauvais_type = client.post(_url(ev), json.dumps({"nom": "X", "email": "x@exemple.fr", "sessions": "a"}),
                               content_type="application/json")  # fmt: skip
    assert mauvais_type.status_code == 422
    autre_session = SessionProgrammeFactory(evenement=EvenementFactory(departement=ev.departement))
    assert _post(client, ev, sessions=[autre_session.pk]).status_code == 422
    assert not Inscription.objects.exists()


def test_invisible_404_et_sur_invitation_403(client, territoire_94):
    brouillon = EvenementFactory(departement=territoire_94.departement, statut=Evenement.Statut.BROUILLON)
    reseau = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.RESEAU)
    for ev in (brouillon, reseau):
        assert _post(client, ev).status_code == 404
    assert client.post("/api/v1/evenements/999999/inscriptions", "{}", content_type="application/json").status_code in (
        404,
        422,
    )
    sur_invitation = EvenementFactory(departement=territoire_94.departement, acces=Evenement.Acces.INVITATION)
    reponse = _post(client, sur_invitation)
    assert reponse.status_code == 403 and "invitation" in reponse.json()["detail"]
    assert not Inscription.objects.exists()


def test_frein_429(client, ev, settings):
    settings.RESEAU_FREINS = {"api_inscription": "2/h"}
    assert _post(client, ev, email="a@exemple.fr").status_code == 201
    assert _post(client, ev, email="b@exemple.fr").status_code == 201
    reponse = _post(client, ev, email="c@exemple.fr")
    assert reponse.status_code == 429 and "Trop de demandes" in reponse.json()["detail"]


def test_openapi_documente_la_route(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = next(iter(schema["paths"]["/api/v1/evenements/{evenement_id}/inscriptions"].values()))
    assert "code: null" in operation["description"]
    assert {"201", "200", "403", "404", "409", "422", "429"} <= set(operation["responses"])
    assert "InscriptionIn" in schema["components"]["schemas"]


def test_post_json_anonyme_sans_jeton_csrf(ev):
    # A plain API client: no cookie, no CSRF token, JSON body.
    client = Client(enforce_csrf_checks=True)
    reponse = _post(client, ev)
    assert reponse.status_code == 201, reponse.content


def test_client_compte_par_adresse_ip():
    from django.test import RequestFactory

    from maillage.reseau.freins import client

    requete = RequestFactory().get("/")
    requete.META["REMOTE_ADDR"] = "2001:db8:1:2:3:4:5:6"
    assert client("g", requete) == "2001:db8:1:2::"
    del requete.META["REMOTE_ADDR"]
    assert client("g", requete) == "inconnue"
