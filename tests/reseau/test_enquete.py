"""Satisfaction survey: pure validation, creation from the default questions, open/close, one answer per present
registrant through their secret link, results."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maillage.reseau import selectors_pointage, services_enquete
from maillage.reseau.models import EnqueteSatisfaction, ReponseSatisfaction
from maillage.reseau.services_enquete import QUESTIONS_PAR_DEFAUT, valider_reponses
from tests.reseau.factories import EvenementFactory, InscriptionFactory, dans
from tests.reseau.test_pointage import acteurs

BONNES = {"satisfaction": "5", "utilite_matin": "4", "utilite_apres_midi": "", "ameliorer": "  Plus de pauses. ",
          "revenir": "Oui"}  # fmt: skip


# --- Pure validation ---------------------------------------------------------------------------------------------


def test_valider_reponses_propres():
    propre, erreurs = valider_reponses(QUESTIONS_PAR_DEFAUT, BONNES)
    assert erreurs == {}
    assert propre == {"satisfaction": 5, "utilite_matin": 4, "ameliorer": "Plus de pauses.", "revenir": "Oui"}


def test_valider_reponses_toutes_les_erreurs():
    propre, erreurs = valider_reponses(
        QUESTIONS_PAR_DEFAUT,
        {"satisfaction": "6", "utilite_matin": "abc", "ameliorer": "x" * 2001, "revenir": "Peut-être", "autre": "1"},
    )
    assert set(erreurs) == {"satisfaction", "utilite_matin", "ameliorer", "revenir"}
    assert "1 à 5" in erreurs["satisfaction"] and "autre" not in propre
    _, erreurs = valider_reponses(QUESTIONS_PAR_DEFAUT, {})
    assert set(erreurs) == {"satisfaction", "revenir"}
    _, erreurs = valider_reponses(QUESTIONS_PAR_DEFAUT, None)
    assert erreurs["satisfaction"] == "Répondez à cette question."
    _, erreurs = valider_reponses(QUESTIONS_PAR_DEFAUT, {"satisfaction": True, "revenir": ["Oui"], "ameliorer": 3})
    assert set(erreurs) == {"satisfaction", "revenir", "ameliorer"}
    propre, _ = valider_reponses(QUESTIONS_PAR_DEFAUT, {"satisfaction": 3, "revenir": "Non"})
    assert propre == {"satisfaction": 3, "revenir": "Non"}


# --- Services and pages ------------------------------------------------------------------------------------------


@pytest.fixture
def jeu(territoire_94):
    dep = territoire_94.departement
    ev = EvenementFactory(departement=dep, debut=dans(-2, 9), fin=dans(-2, 17))
    present = InscriptionFactory(evenement=ev, present_le=ev.debut)
    absent = InscriptionFactory(evenement=ev)
    return ev, present, absent, acteurs(dep)


def test_creer_l_enquete(client, jeu):
    ev, _, _, gens = jeu
    client.force_login(gens.pilote)
    url = reverse("reseau:enquete", args=[ev.pk])
    assert (
        "Créer l&#x27;enquête" in client.get(url).content.decode()
        or "Créer l'enquête" in client.get(url).content.decode()
    )
    assert client.post(url, {"action": "creer"}).status_code == 302
    enquete = EnqueteSatisfaction.objects.get(evenement=ev)
    assert enquete.ouverte and [q["code"] for q in enquete.questions][0] == "satisfaction"
    client.post(url, {"action": "creer"})  # again: the same survey
    assert EnqueteSatisfaction.objects.filter(evenement=ev).count() == 1
    client.post(url, {"action": "fermer"})
    enquete.refresh_from_db()
    assert not enquete.ouverte
    assert client.post(url, {"action": "bidon"}).status_code == 400


def test_pas_d_enquete_avant_l_evenement(client, territoire_94):
    ev = EvenementFactory(departement=territoire_94.departement)
    gens = acteurs(territoire_94.departement)
    with pytest.raises(ValidationError):
        services_enquete.enquete_creer(par=gens.pilote, evenement=ev)
    client.force_login(gens.pilote)
    reponse = client.post(reverse("reseau:enquete", args=[ev.pk]), {"action": "creer"})
    assert reponse.status_code == 400 and not EnqueteSatisfaction.objects.exists()


def test_service_refuse_les_non_organisateurs(jeu):
    ev, _, _, gens = jeu
    for qui in ("partenaire", "structure", "pilote_autre"):
        with pytest.raises(PermissionDenied):
            services_enquete.enquete_creer(par=getattr(gens, qui), evenement=ev)
    enquete = services_enquete.enquete_creer(par=gens.pilote, evenement=ev)
    with pytest.raises(PermissionDenied):
        services_enquete.enquete_ouvrir(par=gens.partenaire, enquete=enquete, ouverte=False)


def test_repondre_une_fois_par_le_lien_personnel(client, jeu):
    ev, present, absent, gens = jeu
    url = reverse("reseau:enquete_repondre", args=[present.jeton])
    assert selectors_pointage.lien_enquete(present) == url == f"/evenements/enquete/{present.jeton}/"
    assert "pas d&#x27;enquête" in client.get(url).content.decode()
    services_enquete.enquete_creer(par=gens.pilote, evenement=ev)
    page = client.get(url)
    assert page.status_code == 200 and "satisfait·e" in page.content.decode()
    # Errors all at once, nothing written.
    reponse = client.post(url, {"satisfaction": "9"})
    assert reponse.status_code == 400 and set(reponse.context["form"].errors) == {"satisfaction", "revenir"}
    assert not ReponseSatisfaction.objects.exists()
    reponse = client.post(url, BONNES)
    assert reponse.status_code == 302
    assert ReponseSatisfaction.objects.get().reponses["satisfaction"] == 5
    # Once only.
    assert "déjà répondu" in client.get(url).content.decode()
    client.post(url, BONNES)
    assert ReponseSatisfaction.objects.count() == 1
    with pytest.raises(services_enquete.ReponseImpossible):
        services_enquete.reponse_enregistrer(inscription=present, donnees=BONNES)


def test_absents_lien_inconnu_et_enquete_close(client, jeu):
    ev, present, absent, gens = jeu
    enquete = services_enquete.enquete_creer(par=gens.pilote, evenement=ev)
    reponse = client.post(reverse("reseau:enquete_repondre", args=[absent.jeton]), BONNES)
    assert reponse.status_code == 403 and "présentes" in reponse.content.decode()
    assert client.get(reverse("reseau:enquete_repondre", args=["inconnu"])).status_code == 404
    services_enquete.enquete_ouvrir(par=gens.pilote, enquete=enquete, ouverte=False)
    reponse = client.post(reverse("reseau:enquete_repondre", args=[present.jeton]), BONNES)
    assert "close" in reponse.content.decode() and not ReponseSatisfaction.objects.exists()


def test_resultats(client, jeu):
    ev, present, _, gens = jeu
    autre = InscriptionFactory(evenement=ev, present_le=ev.debut)
    InscriptionFactory(evenement=ev, present_le=ev.debut)  # present, no answer
    services_enquete.enquete_creer(par=gens.pilote, evenement=ev)
    services_enquete.reponse_enregistrer(inscription=present, donnees=BONNES)
    services_enquete.reponse_enregistrer(
        inscription=autre, donnees={"satisfaction": "2", "revenir": "Non", "ameliorer": "<script>x</script>"}
    )
    client.force_login(gens.conseiller)
    reponse = client.get(reverse("reseau:enquete", args=[ev.pk]))
    resultats = reponse.context["resultats"]
    assert resultats["nombre"] == 2 and reponse.context["sans_reponse"] == 1
    satisfaction = resultats["questions"][0]
    assert satisfaction["moyenne"] == 3.5 and satisfaction["repartition"][1] == (2, 1)
    revenir = resultats["questions"][-1]
    assert revenir["repartition"] == [("Oui", 1), ("Non", 1)]
    contenu = reponse.content.decode()
    assert "3,5 / 5" in contenu and "Plus de pauses." in contenu and "<script>x" not in contenu
    assert present.nom not in contenu  # no name in the results
