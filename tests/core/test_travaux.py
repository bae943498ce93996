"""Background work (`core.travaux`): a job's life, its failure turned into a readable state, its progress page and
who may see it."""

import pytest
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.core import travaux
from maillage.core.models import Travail
from tests.comptes.factories import UtilisateurFactory
from tests.territoires.factories import DepartementFactory


@travaux.task()
def _tache_essai(*, travail_id: str, mode: str) -> str:
    def travail(suivi):
        for i in range(3):
            suivi.avancer(i, 3, f"Étape {i + 1}")
        if mode == "fichier":
            return {"contenu": b"bonjour", "nom_fichier": "essai.txt", "type_contenu": "text/plain", "message": "Prêt"}
        if mode == "erreur_lisible":
            raise travaux.ErreurTravail("Le fichier source est introuvable.")
        if mode == "plantage":
            raise ZeroDivisionError
        return {"message": "Fait"}

    return travaux.executer(travail_id, travail)


def _lancer(mode, **kw):
    return travaux.travail_lancer(tache=_tache_essai, nature="essai", libelle="Essai", mode=mode, **kw)


@pytest.mark.django_db
def test_travail_termine_avec_son_fichier():
    travail = _lancer("fichier", cle="a")
    assert travail.statut == Travail.Statut.TERMINE and travail.message == "Prêt"
    assert travail.fait == travail.total == 3 and travail.pourcentage == 100
    with travail.fichier.open("rb") as fichier:
        assert fichier.read() == b"bonjour"
    assert travail.nom_fichier == "essai.txt"
    assert travail.tache_id and travail.commence_le and travail.termine_le
    # An equal request reuses it; another key does not.
    assert travaux.travail_en_cours_ou_pret(nature="essai", cle="a") == travail
    assert travaux.travail_en_cours_ou_pret(nature="essai", cle="b") is None


@pytest.mark.django_db
def test_echec_lisible_ou_generique_et_jamais_reutilise(caplog):
    lisible = _lancer("erreur_lisible", cle="x")
    assert lisible.statut == Travail.Statut.ECHEC and lisible.message == "Le fichier source est introuvable."
    plantage = _lancer("plantage", cle="x")
    assert plantage.statut == Travail.Statut.ECHEC
    assert plantage.message == "Une erreur inattendue a interrompu ce travail."  # no internals shown
    assert "ZeroDivisionError" in caplog.text  # but logged for the team
    assert travaux.travail_en_cours_ou_pret(nature="essai", cle="x") is None


@pytest.mark.django_db
def test_fichier_disparu_pas_reutilise():
    travail = _lancer("fichier", cle="f")
    travail.fichier.storage.delete(travail.fichier.name)
    assert travaux.travail_en_cours_ou_pret(nature="essai", cle="f") is None


@pytest.mark.django_db
def test_travail_abandonne_remplace(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    travail = _lancer("simple", cle="q")
    assert travail.statut == Travail.Statut.EN_ATTENTE
    assert travaux.travail_en_cours_ou_pret(nature="essai", cle="q") == travail
    Travail.objects.filter(pk=travail.pk).update(cree_le=travail.cree_le - travaux.ABANDON * 2)
    assert travaux.travail_en_cours_ou_pret(nature="essai", cle="q") is None


@pytest.mark.django_db
def test_page_de_progression_et_droits(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    dep = DepartementFactory(code="94")
    autre_dep = DepartementFactory(code="93")
    demandeur = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    collegue = UtilisateurFactory(role=Role.PILOTE, departements=[dep])
    pilote_93 = UtilisateurFactory(role=Role.PILOTE, departements=[autre_dep])

    prive = _lancer("simple", demandeur=demandeur)
    url = reverse("core:travail", args=[prive.pk])
    assert client.get(url).status_code == 403  # anonymous
    client.force_login(collegue)
    assert client.get(url).status_code == 403  # only the requester
    client.force_login(demandeur)
    page = client.get(url)
    assert page.status_code == 200 and "En attente" in page.content.decode()
    # htmx polls a fragment while the job runs
    Travail.objects.filter(pk=prive.pk).update(statut=Travail.Statut.EN_COURS, fait=2, total=5, etape="Calcul")
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and 'value="2"' in fragment and "Calcul" in fragment
    assert "<html" not in fragment

    par_regle = _lancer("simple", regle="departement.voir_pilotage", departement_id="94")
    url = reverse("core:travail", args=[par_regle.pk])
    client.force_login(collegue)
    assert client.get(url).status_code == 200
    client.force_login(pilote_93)
    assert client.get(url).status_code == 403

    public = _lancer("simple", public=True, demandeur=demandeur)
    assert "Demandé le" in client.get(reverse("core:travail", args=[public.pk])).content.decode()
    client.logout()
    page = client.get(reverse("core:travail", args=[public.pk]))
    assert page.status_code == 200
    # Open to anyone, so it never names who asked for it.
    assert demandeur.last_name not in page.content.decode() and "par vous" not in page.content.decode()
    client.force_login(demandeur)
    assert "par vous" in client.get(reverse("core:travail", args=[public.pk])).content.decode()


@pytest.mark.django_db
def test_travail_inconnu_404(client):
    assert client.get("/travaux/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_termine_propose_le_resultat_et_arrete_le_rafraichissement(client):
    travail = _lancer("fichier", public=True, url_resultat="/resultat/")
    page = client.get(reverse("core:travail", args=[travail.pk])).content.decode()
    assert "hx-trigger" not in page and 'href="/resultat/"' in page and "Télécharger essai.txt" in page


@pytest.mark.django_db
def test_purger_travaux(settings):
    import datetime

    from django.core.management import CommandError, call_command
    from django.utils import timezone

    ancien = _lancer("fichier", cle="vieux")
    recent = _lancer("fichier", cle="recent")
    chemin = ancien.fichier.name
    Travail.objects.filter(pk=ancien.pk).update(termine_le=timezone.now() - datetime.timedelta(days=40))
    call_command("purger_travaux", "--jours", "30")
    assert list(Travail.objects.all()) == [recent]
    assert not recent.fichier.storage.exists(chemin) and recent.fichier.storage.exists(recent.fichier.name)
    with pytest.raises(CommandError):
        call_command("purger_travaux", "--jours", "0")


@pytest.mark.django_db
def test_admin_des_travaux_en_lecture_seule(admin_client):
    travail = _lancer("simple")
    assert admin_client.get("/admin/core/travail/").status_code == 200
    assert admin_client.get(f"/admin/core/travail/{travail.pk}/change/").status_code == 200
    assert admin_client.get("/admin/core/travail/add/").status_code == 403
