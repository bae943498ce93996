"""Governance pages of a schéma: who reads and who writes (pilote, responsible partner, conseiller, structure,
anonymous, another département), forms with their French messages, the minutes file served after the check, the
follow-up board and the committee's preparation with a constant number of queries."""

import datetime
import html

import pytest
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from maillage.schema.models import Decision, Instance, Reunion
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.schema.factories import (
    DecisionFactory,
    FicheActionFactory,
    IndicateurFactory,
    InstanceFactory,
    ReunionFactory,
    ValeurIndicateurFactory,
)
from tests.schema.test_gouvernance import construire_jeu, moment, pdf


@pytest.fixture
def g(db, settings):
    return construire_jeu(settings)


def client(user=None) -> Client:
    c = Client(raise_request_exception=False)
    if user is not None:
        c.force_login(user)
    return c


def texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


def urls_lecture(g) -> list[str]:
    return [
        reverse("schema:gouvernance", args=[g.schema.pk]),
        reverse("schema:decisions", args=[g.schema.pk]),
        reverse("schema:reunion", args=[g.juin.pk]),
        reverse("schema:reunion_preparer", args=[g.novembre.pk]),
    ]


# --- Reading ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("qui", ["pilote", "conseiller", "partenaire_cd", "admin"])
def test_comptes_du_departement_lisent_la_gouvernance(g, qui):
    c = client(getattr(g, qui))
    for url in urls_lecture(g):
        reponse = c.get(url)
        assert reponse.status_code == 200, url
    page = texte(c.get(urls_lecture(g)[0]))
    assert "COPIL du schéma" in page and "Piloter le schéma." in page
    assert "Conseil départemental" in page
    assert "vendredi 25 novembre 2016 à 14:00" in page  # the next meeting, in Paris time
    assert ("Créer une instance" in page) is (qui in ("pilote", "admin"))


def test_anonyme_renvoye_a_la_connexion_autre_departement_refuse(g):
    for url in urls_lecture(g):
        # Governance names people: not for structure accounts, who read the schéma as published.
        assert client(g.structure).get(url).status_code == 403, url
        reponse = client().get(url)
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("comptes:connexion")), url
        assert client(g.pilote93).get(url).status_code == 403, url
        assert client(g.partenaire93).get(url).status_code == 403, url
    # The 93's own meeting is not readable from the 94 either.
    assert client(g.pilote).get(reverse("schema:reunion", args=[g.reunion93.pk])).status_code == 403
    assert client(g.pilote).get(reverse("schema:reunion", args=[999_999])).status_code == 404


def test_page_de_la_reunion(g):
    g.juin.presents.set([g.partenaire_cd])
    g.juin.organisations_presentes.set([g.cd])
    page = texte(client(g.conseiller).get(reverse("schema:reunion", args=[g.juin.pk])))
    assert "Paul Départemental (Conseil départemental)" in page
    assert "Réunir les communes" in page and "En retard" in page
    assert "avancement figé le 15/06/2016" in page
    # Read only: no form, no edit link.
    assert reverse("schema:decision_statut", args=[g.d_retard.pk]) not in page
    assert reverse("schema:reunion_modifier", args=[g.juin.pk]) not in page


def test_le_partenaire_responsable_voit_le_formulaire_de_sa_decision_seulement(g):
    page = texte(client(g.partenaire_cd).get(reverse("schema:reunion", args=[g.juin.pk])))
    assert reverse("schema:decision_statut", args=[g.d_retard.pk]) in page
    assert reverse("schema:decision_statut", args=[g.d_due.pk]) not in page
    page = texte(client(g.pilote).get(reverse("schema:decisions", args=[g.schema.pk])))
    assert all(reverse("schema:decision_statut", args=[d.pk]) in page for d in (g.d_retard, g.d_due, g.d_sans))


# --- Writing ----------------------------------------------------------------------------------------------------


def test_le_pilote_cree_une_instance_une_seule_fois(g):
    c = client(g.pilote)
    url = reverse("schema:instance_creer", args=[g.schema.pk])
    formulaire = c.get(url)
    jeton = texte(formulaire).split('name="jeton_formulaire" value="')[1][:32]
    donnees = {
        "type": "groupe",
        "nom": "Groupe QPV",
        "mission": "Suivre les QPV sans structure.",
        "organisations": [g.cd.pk],
        "membres": [g.partenaire_cd.pk],
        "jeton_formulaire": jeton,
    }
    reponse = c.post(url, donnees)
    instance = Instance.objects.get(nom="Groupe QPV")
    assert reponse.status_code == 302 and reponse["Location"].endswith(f"#instance-{instance.pk}")
    assert c.post(url, donnees).status_code == 302  # sent twice: created once
    assert Instance.objects.filter(nom="Groupe QPV").count() == 1
    assert list(instance.membres.all()) == [g.partenaire_cd]


def test_instance_refusee_messages_en_francais(g):
    c = client(g.pilote)
    url = reverse("schema:instance_creer", args=[g.schema.pk])
    reponse = c.post(url, {"type": "copil", "nom": "copil du schéma", "organisations": [g.org93.pk]})
    assert reponse.status_code == 200
    assert reponse.context["form"].errors == {
        "organisations": ["Choisissez des organisations du département du schéma."]
    }
    reponse = c.post(url, {"type": "copil", "nom": "copil du schéma"})
    assert reponse.context["form"].errors == {"nom": ["Une instance de ce schéma porte déjà ce nom."]}
    assert Instance.objects.filter(schema=g.schema).count() == 1


@pytest.mark.parametrize("qui", ["conseiller", "partenaire_cd", "structure", "pilote93"])
def test_ecritures_refusees_aux_autres_roles(g, qui):
    c = client(getattr(g, qui))
    ecritures = [
        (reverse("schema:instance_creer", args=[g.schema.pk]), {"type": "groupe", "nom": "Intrus"}),
        (reverse("schema:instance_modifier", args=[g.copil.pk]), {"type": "copil", "nom": "Intrus", "version": 1}),
        (reverse("schema:instance_supprimer", args=[g.copil.pk]), {}),
        (reverse("schema:reunion_creer", args=[g.copil.pk]), {"jour": "2017-01-10", "heure": "10:00"}),
        (reverse("schema:reunion_modifier", args=[g.juin.pk]), {"jour": "2016-06-15", "heure": "10:00", "version": 1}),
        (reverse("schema:reunion_figer", args=[g.juin.pk]), {"version": 1}),
        (reverse("schema:reunion_supprimer", args=[g.novembre.pk]), {}),
        (reverse("schema:decision_creer", args=[g.juin.pk]), {"texte": "Intrus", "statut": "a_faire"}),
        (reverse("schema:decision_modifier", args=[g.d_due.pk]), {"texte": "Intrus", "statut": "faite", "version": 1}),
        (reverse("schema:decision_supprimer", args=[g.d_due.pk]), {}),
        (reverse("schema:decision_statut", args=[g.d_due.pk]), {"statut": "faite", "version": 1}),
    ]
    for url, donnees in ecritures:
        assert c.get(url).status_code in (403, 405), url
        assert c.post(url, donnees).status_code == 403, url
    assert Instance.objects.filter(schema=g.schema).count() == 1
    assert Reunion.objects.filter(instance=g.copil).count() == 2
    assert Decision.objects.get(pk=g.d_due.pk).statut == "en_cours"
    assert Reunion.objects.get(pk=g.juin.pk).version == 1


def test_ecritures_anonymes_renvoyees_a_la_connexion(g):
    for url in (
        reverse("schema:instance_creer", args=[g.schema.pk]),
        reverse("schema:decision_statut", args=[g.d_due.pk]),
        reverse("schema:reunion_compte_rendu", args=[g.juin.pk]),
    ):
        reponse = client().post(url, {"statut": "faite", "version": 1})
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("comptes:connexion"))
    assert Decision.objects.get(pk=g.d_due.pk).statut == "en_cours"


def test_planifier_puis_documenter_une_reunion(g):
    c = client(g.pilote)
    reponse = c.post(
        reverse("schema:reunion_creer", args=[g.copil.pk]),
        {"jour": "2017-03-02", "heure": "09:30", "lieu": "Préfecture", "ordre_du_jour": "Bilan annuel"},
    )
    reunion = Reunion.objects.get(lieu="Préfecture")
    assert reponse["Location"] == reverse("schema:reunion", args=[reunion.pk])
    assert reunion.date == datetime.datetime(2017, 3, 2, 8, 30, tzinfo=datetime.UTC)  # 9:30 in Paris
    url = reverse("schema:reunion_modifier", args=[g.juin.pk])
    reponse = c.post(
        url,
        {
            "jour": "2016-06-15",
            "heure": "14:00",
            "lieu": "Caf, Créteil",
            "ordre_du_jour": "Lancement",
            "organisations_presentes": [g.caf.pk, g.cd.pk],
            "presents": [g.pilote.pk, g.partenaire_cd.pk],
            "compte_rendu": "Le COPIL lance le schéma.",
            "compte_rendu_fichier": pdf(),
            "version": 1,
        },
    )
    assert reponse.status_code == 302
    g.juin.refresh_from_db()
    assert g.juin.compte_rendu == "Le COPIL lance le schéma." and g.juin.presents.count() == 2
    page = texte(c.get(reverse("schema:reunion", args=[g.juin.pk])))
    assert "Télécharger le compte rendu (compte-rendu.pdf)" in page


def test_presents_desactives_depuis_gardes_a_la_modification(g):
    from maillage.comptes.models import Organisation, Utilisateur

    g.juin.presents.set([g.partenaire_cd])
    g.juin.organisations_presentes.set([g.federation])
    Utilisateur.objects.filter(pk=g.partenaire_cd.pk).update(is_active=False)
    Organisation.objects.filter(pk=g.federation.pk).update(actif=False)
    c = client(g.pilote)
    url = reverse("schema:reunion_modifier", args=[g.juin.pk])
    form = c.get(url).context["form"]
    donnees = {
        "jour": "2016-06-15",
        "heure": "15:00",
        "lieu": "Caf",
        "presents": form.initial["presents"][0].pk,
        "organisations_presentes": form.initial["organisations_presentes"][0].pk,
        "version": 1,
    }
    assert c.post(url, donnees).status_code == 302
    assert list(g.juin.presents.all()) == [g.partenaire_cd]
    assert list(g.juin.organisations_presentes.all()) == [g.federation]
    # Not offered for a new record.
    form = c.get(reverse("schema:instance_creer", args=[g.schema.pk])).context["form"]
    assert g.partenaire_cd not in form.fields["membres"].queryset
    assert g.federation not in form.fields["organisations"].queryset


def test_fichier_refuse_dans_le_formulaire_rien_d_ecrit(g):
    reponse = client(g.pilote).post(
        reverse("schema:reunion_modifier", args=[g.juin.pk]),
        {
            "jour": "2016-06-15",
            "heure": "14:00",
            "compte_rendu": "Texte",
            "compte_rendu_fichier": SimpleUploadedFile("cr.pdf", b"MZ pas un pdf"),
            "version": 1,
        },
    )
    assert reponse.status_code == 200
    assert reponse.context["form"].errors == {"compte_rendu_fichier": ["Ce fichier n'est pas un PDF valide."]}
    g.juin.refresh_from_db()
    assert (g.juin.compte_rendu, g.juin.compte_rendu_fichier.name, g.juin.version) == ("", "", 1)


def test_compte_rendu_servi_apres_controle(g):
    from maillage.schema import services_gouvernance as services

    services.reunion_modifier(par=g.pilote, reunion=g.juin, date=g.juin.date, fichier=pdf())
    url = reverse("schema:reunion_compte_rendu", args=[g.juin.pk])
    assert client(g.structure).get(url).status_code == 403
    reponse = client(g.conseiller).get(url)
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Cache-Control"] == "private, no-store"
    assert 'attachment; filename="compte-rendu.pdf"' in reponse["Content-Disposition"]
    assert b"".join(reponse.streaming_content).startswith(b"%PDF-")
    # Close the file, without the end-of-request signal closing the connection of the test's transaction.
    signals.request_finished.disconnect(close_old_connections)
    try:
        reponse.close()
    finally:
        signals.request_finished.connect(close_old_connections)
    assert client(g.pilote93).get(url).status_code == 403
    assert client().get(url).status_code == 302
    assert client(g.pilote).get(reverse("schema:reunion_compte_rendu", args=[g.novembre.pk])).status_code == 404


def test_figer_depuis_la_page_de_la_reunion(g, settings):
    settings.MAILLAGE_AUJOURDHUI = datetime.date(2016, 11, 25)
    c = client(g.pilote)
    # On the meeting's own day, the button is there.
    assert reverse("schema:reunion_figer", args=[g.novembre.pk]) in texte(
        c.get(reverse("schema:reunion", args=[g.novembre.pk]))
    )
    reponse = c.post(reverse("schema:reunion_figer", args=[g.novembre.pk]), {"version": 1}, follow=True)
    assert "l'avancement du schéma y est figé" in texte(reponse)
    g.novembre.refresh_from_db()
    assert g.novembre.avancements_figes["schema"] == 60.0
    # Without the version read, nothing happens.
    reponse = c.post(reverse("schema:reunion_figer", args=[g.novembre.pk]), {}, follow=True)
    assert "rechargez la page" in texte(reponse)
    assert Reunion.objects.get(pk=g.novembre.pk).version == 2


def test_decision_enregistree_et_refusee_dans_le_formulaire(g):
    c = client(g.pilote)
    url = reverse("schema:decision_creer", args=[g.novembre.pk])
    # A fiche of another schéma is not even a choice; a due date before the meeting is refused.
    reponse = c.post(url, {"texte": "Étendre", "statut": "a_faire", "fiches": [g.fiche93.pk], "echeance": "2016-11-01"})
    assert reponse.status_code == 200
    assert reponse.context["form"].errors == {
        "fiches": ["Une décision ne peut être liée qu'à des fiches actions de ce schéma."]
    }
    reponse = c.post(url, {"texte": "Étendre", "statut": "a_faire", "echeance": "2016-11-01"})
    assert reponse.context["form"].errors == {
        "echeance": ["L'échéance ne peut pas précéder la réunion qui a pris la décision (25/11/2016)."]
    }
    assert not g.novembre.decisions.exists()
    reponse = c.post(
        url,
        {
            "texte": "Étendre le groupe QPV",
            "statut": "a_faire",
            "fiches": [g.fiches[1].pk],
            "responsable": g.cd.pk,
            "echeance": "2017-01-31",
        },
    )
    decision = g.novembre.decisions.get()
    assert reponse["Location"].endswith(f"#decision-{decision.pk}")
    assert (decision.responsable, list(decision.fiches.all())) == (g.cd, [g.fiches[1]])


def test_statut_change_par_le_partenaire_responsable_et_retour_a_la_page(g):
    c = client(g.partenaire_cd)
    tableau = reverse("schema:decisions", args=[g.schema.pk]) + "?en_retard=on"
    reponse = c.post(
        reverse("schema:decision_statut", args=[g.d_retard.pk]),
        {"statut": "faite", "version": 1, "suivant": tableau},
    )
    assert reponse.status_code == 302 and reponse["Location"] == tableau
    assert Decision.objects.get(pk=g.d_retard.pk).statut == "faite"
    # A foreign address is not followed.
    reponse = c.post(
        reverse("schema:decision_statut", args=[g.d_retard.pk]),
        {"statut": "en_cours", "version": 2, "suivant": "https://exemple.org/"},
    )
    assert reponse["Location"] == reverse("schema:reunion", args=[g.juin.pk]) + f"#decision-{g.d_retard.pk}"


def test_statut_version_perimee_montre_le_conflit(g):
    url = reverse("schema:decision_statut", args=[g.d_retard.pk])
    reponse = enregistrer_deux_fois(url, (g.pilote, {"statut": "faite"}), (g.partenaire_cd, {"statut": "abandonnee"}))
    assert "Statut : « À faire » → « Faite »" in message_conflit(reponse)
    assert Decision.objects.get(pk=g.d_retard.pk).statut == "faite"


def test_reunion_version_perimee_montre_le_conflit(g):
    url = reverse("schema:reunion_modifier", args=[g.juin.pk])
    base = {"jour": "2016-06-15", "heure": "14:00"}
    reponse = enregistrer_deux_fois(
        url, (g.pilote, {**base, "lieu": "Préfecture"}), (g.admin, {**base, "lieu": "Mairie"})
    )
    assert "Lieu : « Caf, salle du conseil » → « Préfecture »" in message_conflit(reponse)
    assert Reunion.objects.get(pk=g.juin.pk).lieu == "Préfecture"


# --- The board and the preparation ------------------------------------------------------------------------------


def test_tableau_de_suivi_filtres_comptes_et_liens_stables(g):
    c = client(g.conseiller)
    url = reverse("schema:decisions", args=[g.schema.pk])
    reponse = c.get(url, {"en_retard": "on"})
    assert [d.texte for d in reponse.context["page"].object_list] == ["Réunir les communes"]
    assert reponse.context["parametres"] == "en_retard=on"
    assert reponse.context["comptes"]["en_retard"] == 1
    reponse = c.get(url, {"statut": "a_faire", "responsable": g.cd.pk})
    assert [d.texte for d in reponse.context["page"].object_list] == ["Réunir les communes"]
    assert reponse.context["parametres"] == f"statut=a_faire&responsable={g.cd.pk}"
    # Bad filters are refused with a message, the others still apply; never a 500.
    reponse = c.get(url, {"statut": "inconnu", "responsable": g.org93.pk})
    assert reponse.status_code == 200
    assert reponse.context["filtres"].errors["responsable"] == [
        "Cette organisation n'est pas du département : filtre ignoré."
    ]
    assert len(reponse.context["page"].object_list) == 5
    page = texte(c.get(url))
    assert f'href="{url}?statut=faite"' in page and f'href="{url}?en_retard=on"' in page


def test_tableau_requetes_constantes(g, django_assert_max_num_queries):
    c = client(g.partenaire_cd)
    url = reverse("schema:decisions", args=[g.schema.pk])
    c.get(url)

    def requetes():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as capture:
            assert c.get(url).status_code == 200
        return len(capture)

    avant = requetes()
    for n in range(30):
        d = DecisionFactory(reunion=g.juin, responsable=g.cd if n % 2 else g.federation, echeance=None)
        d.fiches.set([g.fiches[n % 4], FicheActionFactory(orientation=g.fiches[0].orientation, numero=f"9.{n}")])
    with django_assert_max_num_queries(avant):
        reponse = c.get(url)
    assert len(reponse.context["page"].object_list) == 35


def test_page_de_preparation_chiffres(g):
    reponse = client(g.pilote).get(reverse("schema:reunion_preparer", args=[g.novembre.pk]))
    page = texte(reponse)
    assert reponse.status_code == 200
    # Schéma 30 % → 60 %; axe 1: 25 → 40; axe 2: 40 → 100.
    for attendu in ("60,0 %", "30,0 %", "+30,0", "40,0 %", "25,0 %", "+15,0", "100,0 %", "+60,0"):
        assert attendu in page, attendu
    assert "avancement figé le 15/06/2016" in page
    assert "Actions en retard (2)" in page and "Fin prévue le 31/10/2016, dépassée" in page
    assert "Jalon « Réunir les communes » attendu le 01/11/2016" in page
    assert "Décisions dues (2)" in page and "Proposer la charte" in page and "Évaluer" not in page


def test_preparation_requetes_constantes(g, django_assert_max_num_queries):
    c = client(g.pilote)
    url = reverse("schema:reunion_preparer", args=[g.novembre.pk])
    _indicateur(g.schema, "BASE", 15)  # the values' prefetch runs once there is an indicator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as capture:
        assert c.get(url).status_code == 200
    avant = len(capture)
    orientation = g.fiches[0].orientation
    for n in range(20):
        _indicateur(g.schema, f"I{n}", n)
        fiche = FicheActionFactory(orientation=orientation, numero=f"1.1.{n + 10}", fin=datetime.date(2016, 1, 31),
                                   debut=datetime.date(2016, 1, 1))  # fmt: skip
        d = DecisionFactory(reunion=g.juin, echeance=datetime.date(2016, 7, 1))
        d.fiches.set([fiche])
    with django_assert_max_num_queries(avant):
        reponse = c.get(url)
    assert len(reponse.context["p"].actions_en_retard) == 22
    assert len(reponse.context["p"].decisions_dues) == 22
    assert len(reponse.context["p"].indicateurs_hors_trajectoire) == 13  # values 0 to 12 below 12.5


def test_gouvernance_requetes_constantes(g, django_assert_max_num_queries):
    c = client(g.pilote)
    url = reverse("schema:gouvernance", args=[g.schema.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as capture:
        assert c.get(url).status_code == 200
    avant = len(capture)
    for n in range(10):
        instance = InstanceFactory(schema=g.schema, nom=f"Groupe {n}", type="groupe")
        instance.organisations.set([g.cd, g.federation])
        instance.membres.set([g.partenaire_cd])
        ReunionFactory(instance=instance, date=moment(datetime.date(2016, 12, n + 1)))
    with django_assert_max_num_queries(avant):
        assert c.get(url).status_code == 200


def _indicateur(schema, code, derniere, sens="hausse"):
    """Baseline 10 at 31/12/2015, target 20 at 31/12/2019: 12.5 expected at 31/12/2016."""
    indicateur = IndicateurFactory(
        schema=schema, code=code, libelle=f"Indicateur {code}", sens=sens,
        reference_valeur=10, reference_date=datetime.date(2015, 12, 31),
        cible_valeur=20, cible_date=datetime.date(2019, 12, 31),
    )  # fmt: skip
    ValeurIndicateurFactory(indicateur=indicateur, date=datetime.date(2016, 12, 31), valeur=derniere)
    return indicateur


def test_preparation_indicateurs_hors_trajectoire(g):
    _indicateur(g.schema, "EN-RETARD", 11)
    _indicateur(g.schema, "EN-AVANCE", 14)
    _indicateur(g.schema, "BAISSE-RATEE", 14, sens="baisse")
    IndicateurFactory(schema=g.schema, code="SANS-VALEUR")
    _indicateur(g.schema93, "DU-93", 0)
    reponse = client(g.pilote).get(reverse("schema:reunion_preparer", args=[g.novembre.pk]))
    assert [ligne.code for ligne in reponse.context["p"].indicateurs_hors_trajectoire] == ["BAISSE-RATEE", "EN-RETARD"]
    page = texte(reponse)
    assert "Indicateurs hors trajectoire (2)" in page and "(2 sur 4)" in page
    assert "EN-RETARD — Indicateur EN-RETARD" in page and "EN-AVANCE" not in page and "DU-93" not in page
