"""Reports and reminders as background tasks: queued for a worker (`db_worker`), followed on a progress page,
reused while the data do not change; reminders at most once a day per structure, even across processes."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from maillage.comptes.models import Role
from maillage.core.models import Travail
from maillage.observatoire.models import Relance
from maillage.observatoire.relecture import selectors as selectors_relecture
from maillage.observatoire.relecture import services as services_relecture
from tests.comptes.factories import UtilisateurFactory

from .relecture import test_relecture as relecture
from .resultats import test_resultats as resultats
from .resultats.test_rapports import lire_classeur, sans_pango, url

jeu = resultats.jeu
obs = relecture.obs
comptes = relecture.comptes

BASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def worker(monkeypatch):
    """Run the database worker once over the queue. Its connection hygiene (`close_old_connections`) would close
    the test's connection inside the test transaction on PostgreSQL: not what is under test here."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    return lambda: call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


@pytest.mark.django_db
def test_rapport_prepare_par_le_worker(client, jeu, settings, worker):
    settings.TASKS = BASE
    client.force_login(jeu.pilote)
    adresse = url("rapport_xlsx", jeu.c2016)
    reponse = client.get(adresse)
    travail = Travail.objects.get()
    assert reponse.status_code == 302 and reponse.url == reverse("core:travail", args=[travail.pk])
    page = client.get(reponse.url).content.decode()
    assert "En attente" in page and 'hx-trigger="every 2s"' in page
    # Asking again while it waits does not queue a second job.
    assert client.get(adresse).url == reponse.url
    assert Travail.objects.count() == 1

    worker()
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.TERMINE and travail.total > 0 and travail.fait == travail.total
    page = client.get(reverse("core:travail", args=[travail.pk])).content.decode()
    assert "Télécharger observatoire-94-2016.xlsx" in page and "hx-trigger" not in page
    fichier = client.get(adresse)
    assert fichier.status_code == 200 and fichier["Content-Disposition"].endswith(
        'filename="observatoire-94-2016.xlsx"'
    )
    assert lire_classeur(fichier.content)["Réponses"].max_row > 2


@pytest.mark.django_db
def test_rapport_reutilise_tant_que_les_donnees_ne_changent_pas(client, jeu):
    client.force_login(jeu.pilote)
    adresse = url("rapport_xlsx", jeu.c2016)
    assert client.get(adresse).status_code == 200
    assert client.get(adresse).status_code == 200
    assert Travail.objects.count() == 1
    # Another pilot of the département gets the same file.
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[jeu.dep]))
    assert client.get(adresse).status_code == 200
    assert Travail.objects.count() == 1
    jeu.r1.refresh_from_db()
    jeu.r1.valeurs = {**jeu.r1.valeurs, "pub_personnes": 101}
    jeu.r1.save()
    client.force_login(jeu.pilote)
    assert client.get(adresse).status_code == 200
    assert Travail.objects.count() == 2  # an answer changed: regenerated


@pytest.mark.django_db
def test_travail_de_rapport_reserve(client, jeu, settings):
    """The job's page follows the report's own rule: the XLSX is for the département's pilots and mandated
    correspondents."""
    settings.TASKS = BASE
    client.force_login(jeu.pilote)
    page = client.get(url("rapport_xlsx", jeu.c2016)).url
    client.force_login(jeu.correspondant)
    assert client.get(page).status_code == 200
    for compte in (jeu.pilote93, jeu.structure_cs1, jeu.partenaire):
        client.force_login(compte)
        assert client.get(page).status_code == 403
    client.logout()
    assert client.get(page).status_code == 403


@sans_pango
@pytest.mark.django_db
def test_pdf_public_d_une_campagne_publiee_par_le_worker(client, jeu, settings, worker):
    settings.TASKS = BASE
    adresse = url("rapport_pdf", jeu.c93)
    page = client.get(adresse).url  # anonymous: the campaign is published
    worker()
    assert "Télécharger observatoire-93-2016.pdf" in client.get(page).content.decode()
    assert client.get(adresse).content.startswith(b"%PDF")


# --- Reminders -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_relances_envoyees_par_le_worker(client, obs, comptes, settings, worker):
    settings.TASKS = BASE
    client.force_login(obs.pilote)
    reponse = client.post(reverse("observatoire:suivi_relancer", args=[obs.campagne.pk]))
    travail = Travail.objects.get(nature="observatoire.relances")
    assert reponse.url == reverse("core:travail", args=[travail.pk])
    assert mail.outbox == []
    worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@centre.fr", "b@centre.fr"]
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.TERMINE and travail.message == "1 structure(s) relancée(s) par e-mail."
    relance = Relance.objects.get()
    assert relance.structure == obs.brouillon.structure and relance.par == obs.pilote
    assert relance.destinataires == ["a@centre.fr", "b@centre.fr"] and relance.jour == timezone.localdate()
    # The requester follows the job, nobody else.
    client.force_login(comptes.a_jour)
    assert client.get(reponse.url).status_code == 403


@pytest.mark.django_db
def test_relance_immediate_message_sur_le_tableau(client, obs, comptes):
    client.force_login(obs.pilote)
    reponse = client.post(reverse("observatoire:suivi_relancer", args=[obs.campagne.pk]), follow=True)
    assert "1 structure(s) relancée(s) par e-mail." in reponse.content.decode()
    reponse = client.post(reverse("observatoire:suivi_relancer", args=[obs.campagne.pk]), follow=True)
    assert "0 structure(s) relancée(s)" in reponse.content.decode()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_une_relance_par_jour_meme_entre_processus(obs, comptes):
    """The mark is a database row, not a per-process cache: a second run the same day sends nothing."""
    reponses = list(selectors_relecture.reponses_suivies(None, obs.campagne))
    assert len(services_relecture.relancer(par=None, campagne=obs.campagne, reponses=reponses)) == 1
    from django.core.cache import cache

    cache.clear()  # what a restart or another process would see
    assert services_relecture.relancer(par=None, campagne=obs.campagne, reponses=reponses) == []
    assert Relance.objects.count() == 1 and len(mail.outbox) == 2


@pytest.mark.django_db
def test_echec_d_envoi_ne_marque_pas_la_relance(obs, comptes, monkeypatch):
    reponses = list(selectors_relecture.reponses_suivies(None, obs.campagne))

    def panne(*args, **kwargs):
        raise ConnectionRefusedError("SMTP indisponible")

    monkeypatch.setattr(services_relecture, "send_mail", panne)
    with pytest.raises(ConnectionRefusedError):
        services_relecture.relancer(par=None, campagne=obs.campagne, reponses=reponses)
    assert Relance.objects.count() == 0
    monkeypatch.undo()
    assert len(services_relecture.relancer(par=None, campagne=obs.campagne, reponses=reponses)) == 1


@pytest.mark.django_db
def test_echec_d_envoi_dans_la_tache_lisible(client, obs, comptes, monkeypatch):
    monkeypatch.setattr(services_relecture, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("smtp")))
    client.force_login(obs.pilote)
    page = client.post(reverse("observatoire:suivi_relancer", args=[obs.campagne.pk]), follow=True).content.decode()
    assert "Une erreur inattendue a interrompu ce travail." in page
    assert Relance.objects.count() == 0


@pytest.mark.django_db
def test_relance_le_lendemain(obs, comptes):
    reponses = list(selectors_relecture.reponses_suivies(None, obs.campagne))
    services_relecture.relancer(par=None, campagne=obs.campagne, reponses=reponses)
    demain = timezone.localdate() + datetime.timedelta(days=1)
    assert len(services_relecture.relancer(par=None, campagne=obs.campagne, reponses=reponses, aujourd_hui=demain)) == 1
    assert Relance.objects.count() == 2


@pytest.mark.django_db
def test_tableau_de_suivi_montre_la_derniere_relance(client, obs, comptes):
    client.force_login(obs.pilote)
    suivi = reverse("observatoire:suivi", args=[obs.campagne.pk])
    assert "relancée le" not in client.get(suivi).content.decode()
    client.post(reverse("observatoire:suivi_relancer", args=[obs.campagne.pk]))
    page = client.get(suivi).content.decode()
    assert f"relancée le {date_format(timezone.localdate(), 'j F Y')}" in page


# --- National sheet as a workbook ----------------------------------------------------------------------------


def _lignes(contenu: bytes) -> list[tuple]:
    return list(lire_classeur(contenu).worksheets[0].iter_rows(values_only=True))


@pytest.mark.django_db
def test_fiche_nationale_xlsx_selon_le_lecteur(client, jeu, settings, worker):
    adresse = reverse("observatoire:fiche_nationale_xlsx", args=[2016])
    # The public: published campaigns only (93), one row per département then the whole.
    lignes = _lignes(client.get(adresse).content)
    assert [ligne[:3] for ligne in lignes[1:]] == [("Seine-Saint-Denis", "93", "Oui"), ("Ensemble", None, None)]
    entetes = lignes[0]
    assert lignes[1][entetes.index("Réponses validées")] == 1
    assert lignes[1][entetes.index("Personnes touchées (total)")] == 1000
    # The 94 pilot also sees the 94 campaign: another file, that only they may follow.
    settings.TASKS = BASE
    client.force_login(jeu.pilote)
    page = client.get(adresse).url
    worker()
    lignes = _lignes(client.get(adresse).content)
    assert [ligne[1] for ligne in lignes[1:-1]] == ["93", "94"]
    validees = entetes.index("Réponses validées")
    assert lignes[2][validees] == 4 and lignes[-1][validees] == 5
    client.force_login(jeu.pilote93)
    assert client.get(page).status_code == 403
    assert Travail.objects.filter(nature="observatoire.fiche_nationale_xlsx").count() == 2


@pytest.mark.django_db
def test_fiche_nationale_xlsx_sans_campagne_visible(client, jeu):
    jeu.c93.publiee, jeu.c93.publiee_le = False, None
    jeu.c93.save()
    assert client.get(reverse("observatoire:fiche_nationale_xlsx", args=[2016])).status_code == 404  # unpublished
    client.force_login(jeu.pilote)
    assert client.get(reverse("observatoire:fiche_nationale_xlsx", args=[2016])).status_code == 200  # their own
    assert client.get(reverse("observatoire:fiche_nationale_xlsx", args=[1999])).status_code == 404
    page = client.get(reverse("observatoire:fiche_nationale", args=[2016])).content.decode()
    assert reverse("observatoire:fiche_nationale_xlsx", args=[2016]) in page
    client.logout()
    page = client.get(reverse("observatoire:fiche_nationale", args=[2016])).content.decode()
    assert reverse("observatoire:fiche_nationale_xlsx", args=[2016]) not in page  # nothing visible, no link
