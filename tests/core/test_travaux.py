"""Background work (`core.travaux`): a job's life, its failure turned into a readable state, its progress page and
who may see it."""

from datetime import timedelta

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


# --- A worker stopped in the middle: never lost, never run twice ------------------------------------------------

executions = []


@travaux.task()
def _tache_comptee(*, travail_id: str, mode: str = "fichier") -> str:
    def travail(suivi):
        executions.append(travail_id)
        suivi.avancer(1, 2, "Calcul")
        if mode == "reprise_pendant":
            # Meanwhile `reprendre_travaux` gave this run up for dead and queued the job again.
            Travail.objects.filter(pk=travail_id).update(statut=Travail.Statut.EN_ATTENTE, executant="")
        return {"contenu": b"rapport", "nom_fichier": "rapport.txt", "type_contenu": "text/plain"}

    return travaux.executer(travail_id, travail)


@pytest.fixture
def file_en_base(monkeypatch):
    """Jobs queued for a worker (the database backend), as in production."""
    from django_tasks_db.management.commands import db_worker

    # The worker closes "old" connections between tasks: that would be the test's own transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    executions.clear()
    yield _tache_comptee.using(backend="base")
    executions.clear()


def _travailleur():
    """One `db_worker` pass over the queue, as a worker process runs it."""
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--backend", "base", "--no-startup-delay", "--no-reload", verbosity=0)


def _arrete_en_plein_travail(travail, *, il_y_a, tentatives=1):
    """What SIGKILL leaves: the task taken (RUNNING), the job « en cours », its last heartbeat `il_y_a` ago."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    avant = timezone.now() - il_y_a
    DBTaskResult.objects.filter(pk=travail.tache_id).update(status="RUNNING", started_at=avant)
    Travail.objects.filter(pk=travail.pk).update(
        statut=Travail.Statut.EN_COURS, commence_le=avant, battement=avant, executant="mort", tentatives=tentatives
    )


@pytest.mark.django_db
def test_un_travail_ne_tourne_qu_une_fois(file_en_base):
    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai")
    assert travail.statut == Travail.Statut.EN_ATTENTE
    _travailleur()
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.TERMINE and travail.tentatives == 1 and travail.executant
    assert executions == [str(travail.pk)]
    # A duplicate task for the same job (done, or running with a live heartbeat) does nothing.
    assert _tache_comptee.call(travail_id=str(travail.pk)) == Travail.Statut.TERMINE
    Travail.objects.filter(pk=travail.pk).update(statut=Travail.Statut.EN_COURS)
    assert _tache_comptee.call(travail_id=str(travail.pk)) == Travail.Statut.EN_COURS
    assert executions == [str(travail.pk)]
    assert _tache_comptee.call(travail_id="00000000-0000-0000-0000-000000000000") == "introuvable"


@pytest.mark.django_db
def test_travail_muet_relance_une_fois_puis_termine(file_en_base, settings):
    from django_tasks_db.models import DBTaskResult

    settings.MAILLAGE_TRAVAUX_BATTEMENT = 10
    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai")
    ancienne = travail.tache_id
    _arrete_en_plein_travail(travail, il_y_a=travaux.silence_max() + timedelta(seconds=5))
    assert travaux.travaux_reprendre() == {"relances": 1, "echecs": 0}
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.EN_ATTENTE and travail.tache_id != ancienne
    assert travail.executant == "" and travail.battement is None and "Relancé" in travail.etape
    perdue = DBTaskResult.objects.get(pk=ancienne)
    assert perdue.status == "FAILED" and perdue.exception_class_path.endswith("TravailInterrompu")
    # A second pass (cron on another machine) finds nothing more to do.
    assert travaux.travaux_reprendre() == {"relances": 0, "echecs": 0}
    _travailleur()
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.TERMINE and travail.tentatives == 2
    assert executions == [str(travail.pk)]  # the killed start never got here in this simulation
    assert travail.fichier.storage.exists(travail.fichier.name)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1


@pytest.mark.django_db
def test_travail_vivant_ou_pas_encore_muet_laisse_tranquille(file_en_base):
    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai")
    _arrete_en_plein_travail(travail, il_y_a=travaux.silence_max() - timedelta(seconds=5))
    assert travaux.travaux_reprendre() == {"relances": 0, "echecs": 0}
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.EN_COURS and travail.executant == "mort"


@pytest.mark.django_db
def test_apres_le_maximum_de_tentatives_echec_lisible(file_en_base, settings):
    settings.MAILLAGE_TRAVAUX_TENTATIVES = 2
    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai")
    _arrete_en_plein_travail(travail, il_y_a=travaux.silence_max() * 2, tentatives=2)
    assert travaux.travaux_reprendre() == {"relances": 0, "echecs": 1}
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.ECHEC and travail.termine_le
    assert travail.message.startswith("Ce travail a été interrompu 2 fois")
    assert travaux.travail_en_cours_ou_pret(nature="essai", cle="") is None
    _travailleur()
    assert executions == []


@pytest.mark.django_db
def test_tache_prise_par_un_travailleur_mort_avant_de_commencer(file_en_base):
    """SIGKILL between the worker's claim of the task and the job's start: the job waits forever otherwise."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai")
    avant = timezone.now() - travaux.silence_max() * 2
    DBTaskResult.objects.filter(pk=travail.tache_id).update(status="RUNNING", started_at=avant)
    assert travaux.travaux_reprendre() == {"relances": 0, "echecs": 0}  # the job row itself is recent
    Travail.objects.filter(pk=travail.pk).update(cree_le=avant)
    assert travaux.travaux_reprendre() == {"relances": 1, "echecs": 0}
    _travailleur()
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.TERMINE and travail.tentatives == 1


@pytest.mark.django_db
def test_execution_donnee_pour_morte_n_ecrit_rien(file_en_base, stockage_s3):
    """A run given up for dead by `reprendre_travaux` (only slow) neither finishes the job nor leaves its file."""
    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai", mode="reprise_pendant")
    _travailleur()
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.EN_ATTENTE and not travail.fichier
    assert stockage_s3.objets() == []  # the file it wrote is removed


@pytest.mark.django_db
def test_battement(file_en_base):
    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai")
    Travail.objects.filter(pk=travail.pk).update(statut=Travail.Statut.EN_COURS, executant="moi")
    assert travaux.battre(travail.pk, "moi")
    travail.refresh_from_db()
    assert travail.battement is not None
    assert not travaux.battre(travail.pk, "un autre")
    # Given up: the next progress report stops the run.
    battement = travaux.Battement(travail.pk, "un autre")
    battement.perdu = True
    with pytest.raises(travaux.TravailRepris):
        travaux.Suivi(travail, jeton="un autre", battement=battement).avancer(1, 2)


@pytest.mark.django_db
def test_battement_ecrit_pendant_un_long_travail(monkeypatch, settings):
    """The heartbeat thread beats on its own while the job's code is busy (a long step with no progress), and
    stops at the job's end; taken over, it flags the run as lost."""
    import time

    settings.MAILLAGE_TRAVAUX_BATTEMENT = 0.05
    battements = []
    monkeypatch.setattr(travaux, "battre", lambda travail_id, jeton: battements.append(jeton) or len(battements) < 4)
    battement = travaux.Battement("id", "moi")
    battement.start()
    time.sleep(0.5)
    assert battement.perdu and not battement.is_alive() and battements == ["moi"] * 4
    battements.clear()
    battement = travaux.Battement("id", "moi")
    battement.start()
    battement.arreter()
    assert not battement.is_alive() and not battement.perdu


@pytest.mark.django_db
def test_commande_reprendre_travaux(file_en_base):
    from io import StringIO

    from django.core.management import call_command

    sortie = StringIO()
    call_command("reprendre_travaux", stdout=sortie)
    assert sortie.getvalue() == ""
    travail = travaux.travail_lancer(tache=file_en_base, nature="essai", libelle="Essai")
    _arrete_en_plein_travail(travail, il_y_a=travaux.silence_max() * 2)
    call_command("reprendre_travaux", stdout=sortie)
    assert "1 travail(s) relancé(s), 0 mis en échec." in sortie.getvalue()
