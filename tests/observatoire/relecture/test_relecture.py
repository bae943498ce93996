"""Review page, follow-up board and reminders of the observatoire."""

import datetime
import html
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Mandat, Organisation, Role
from maillage.observatoire.models import Commentaire, Statut, Transition
from maillage.observatoire.relecture import selectors as selectors_relecture
from maillage.observatoire.relecture import services as services_relecture
from tests.comptes.factories import MandatFactory, OrganisationFactory, UtilisateurFactory
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory
from tests.territoires.factories import DepartementFactory

MAINTENANT = timezone.now()


def _reponse(campagne, structure, statut, q):
    champs = {"statut": statut, "valeurs": {"q_nombre": q} if q is not None else {}}
    if statut != Statut.BROUILLON:
        champs["soumise_le"] = MAINTENANT
    if statut == Statut.VALIDEE:
        champs.update(verrouillee=True, validee_le=MAINTENANT)
    return ReponseFactory(campagne=campagne, structure=structure, **champs)


@pytest.fixture(autouse=True)
def _cache_vide():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def obs(territoire_94):
    creteil, vitry, ivry = territoire_94.communes
    dep = territoire_94.departement
    campagne = CampagneFactory(departement=dep, annee=2016)
    ancienne = CampagneFactory(departement=dep, annee=2015, questionnaire=campagne.questionnaire)
    cs = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    reponse = _reponse(campagne, cs, Statut.SOUMISE, 1000)
    _reponse(ancienne, cs, Statut.VALIDEE, 400)
    autres = [
        _reponse(campagne, StructureFactory(nom=f"Centre {i}", commune=vitry), statut, q)
        for i, (statut, q) in enumerate([(Statut.SOUMISE, 100), (Statut.VALIDEE, 200), (Statut.VALIDEE, 300)])
    ]
    brouillon = _reponse(campagne, StructureFactory(nom="Centre brouillon", commune=ivry), Statut.BROUILLON, 5000)
    return SimpleNamespace(
        dep=dep,
        campagne=campagne,
        cs=cs,
        reponse=reponse,
        autres=autres,
        brouillon=brouillon,
        communes=territoire_94.communes,
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
    )


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


def _url(obs, action=None):
    if action:
        return reverse("observatoire:relire_action", args=[obs.reponse.pk, action])
    return reverse("observatoire:relire", args=[obs.reponse.pk])


# --- Permissions ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonyme_redirige_vers_la_connexion(client, obs):
    assert client.get(_url(obs)).status_code == 302
    assert client.get(reverse("observatoire:suivi", args=[obs.campagne.pk])).status_code == 302


@pytest.mark.django_db
def test_refus_de_relecture(client, obs):
    dep_93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=obs.dep.region)
    creteil, vitry, _ = obs.communes
    refuses = [
        UtilisateurFactory(role=Role.STRUCTURE, structure=obs.cs),
        UtilisateurFactory(role=Role.PILOTE, departements=[dep_93]),
        UtilisateurFactory(role=Role.CONSEILLER, departements=[obs.dep], communes=[vitry]),
        UtilisateurFactory(role=Role.PARTENAIRE, departements=[obs.dep]),
    ]
    for user in refuses:
        client.force_login(user)
        assert client.get(_url(obs)).status_code == 403, user.role
        assert client.post(_url(obs, "valider")).status_code == 403, user.role
    obs.reponse.refresh_from_db()
    assert obs.reponse.statut == Statut.SOUMISE
    # The structure user and the other département's pilote do not see the board either.
    for user in refuses[:2]:
        client.force_login(user)
        assert client.get(reverse("observatoire:suivi", args=[obs.campagne.pk])).status_code == 403


@pytest.mark.django_db
def test_acces_conseiller_de_la_commune_et_federation_si_autorisee(client, obs):
    creteil = obs.communes[0]
    client.force_login(UtilisateurFactory(role=Role.CONSEILLER, departements=[obs.dep], communes=[creteil]))
    assert client.get(_url(obs)).status_code == 200
    federation = OrganisationFactory(departement=obs.dep, type=Organisation.Type.FEDERATION)
    partenaire = UtilisateurFactory(role=Role.PARTENAIRE, departements=[obs.dep], organisation=federation)
    MandatFactory(organisation=federation, nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, accorde_par=obs.pilote)
    client.force_login(partenaire)
    assert client.get(reverse("observatoire:suivi", args=[obs.campagne.pk])).status_code == 403
    obs.campagne.federation_relit = True
    obs.campagne.save()
    assert client.get(_url(obs)).status_code == 200
    assert client.get(reverse("observatoire:suivi", args=[obs.campagne.pk])).status_code == 200


# --- Outliers ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ecarts_annee_precedente_et_mediane(client, obs):
    donnees = selectors_relecture.relecture(obs.reponse)
    question = donnees["sections"][0]["questions"][0]
    assert question["code"] == "q_nombre"
    assert question["valeur"] == "1\u202f000"
    # N-1: 400 → 1000 is +150 % (threshold 50 %).
    assert [a.regle for a in question["alertes"]] == ["evolution"]
    assert "400 l'an dernier, 1\u202f000 cette année (+150 %)" in question["alertes"][0].message
    # Median of the other submitted/validated answers (100, 200, 300: the draft's 5000 is left out) = 200; 1000 > 3×200.
    valeur, mediane, message = question["ecart_mediane"]
    assert (valeur, mediane) == (1000, 200)
    assert "très au-dessus de la médiane du département (200, sur 3 réponses)" in message
    assert donnees["nb_signalements"] == 2
    client.force_login(obs.pilote)
    contenu = _texte(client.get(_url(obs)))
    assert "Écart à la médiane" in contenu and "+150" in contenu


def test_ecarts_mediane_pur():
    definition = SimpleNamespace(questions={"a": {"suivi_evolution": True}, "b": {"suivi_evolution": False}})
    autres = [{"a": 10}, {"a": 30}, {"a": 20}, {"a": None}]
    assert selectors_relecture.ecarts_mediane(definition, {"a": 60, "b": 1}, autres) == {}  # 60 = 3 × 20: kept
    assert selectors_relecture.ecarts_mediane(definition, {"a": 61}, autres)["a"][:2] == (61, 20)
    assert selectors_relecture.ecarts_mediane(definition, {"a": 6}, autres)["a"][:2] == (6, 20)  # < 20 / 3
    assert "en dessous" in selectors_relecture.ecarts_mediane(definition, {"a": 6}, autres)["a"][2]
    assert selectors_relecture.ecarts_mediane(definition, {"a": 6}, autres[:2]) == {}  # fewer than 3 values


# --- Transitions and comments --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_valider_depuis_la_page(client, obs):
    client.force_login(obs.pilote)
    # Two open alerts (evolution, median): validating needs the explicit confirmation, checked server-side.
    refus = client.post(_url(obs, "valider"))
    assert refus.status_code == 400
    assert "Cette réponse a 2 signalements ouverts : cochez « J'ai vu les 2 signalements »" in _texte(refus)
    obs.reponse.refresh_from_db()
    assert obs.reponse.statut == Statut.SOUMISE and not Transition.objects.exists()
    # The follow-up list's filter is kept through the decision.
    reponse = client.post(_url(obs, "valider") + "?statut=soumise", {"valider-confirme": "oui"})
    assert reponse.status_code == 302 and reponse.url == _url(obs) + "?statut=soumise"
    obs.reponse.refresh_from_db()
    assert obs.reponse.statut == Statut.VALIDEE and obs.reponse.verrouillee
    transition = Transition.objects.get(reponse=obs.reponse)
    assert (transition.de, transition.vers, transition.par) == (Statut.SOUMISE, Statut.VALIDEE, obs.pilote)
    # Validating twice is refused with a French reason, nothing written.
    refus = client.post(_url(obs, "valider"), {"valider-confirme": "oui"})
    assert refus.status_code == 400
    assert "Une réponse « validée » ne peut pas passer à « validée »." in _texte(refus)
    assert Transition.objects.filter(reponse=obs.reponse).count() == 1


@pytest.mark.django_db
def test_renvoyer_exige_un_motif(client, obs):
    client.force_login(obs.pilote)
    refus = client.post(_url(obs, "renvoyer"), {"renvoyer-motif": "  "})
    assert refus.status_code == 400
    assert "Indiquez le motif" in _texte(refus)
    obs.reponse.refresh_from_db()
    assert obs.reponse.statut == Statut.SOUMISE and not Transition.objects.exists()
    assert client.post(_url(obs, "renvoyer"), {"renvoyer-motif": "Effectif à vérifier"}).status_code == 302
    obs.reponse.refresh_from_db()
    assert obs.reponse.statut == Statut.A_CORRIGER
    assert Transition.objects.get().motif == "Effectif à vérifier"
    # The motif is in the history shown on the page.
    assert "Effectif à vérifier" in _texte(client.get(_url(obs)))


@pytest.mark.django_db
def test_rouvrir_une_reponse_validee(client, obs):
    client.force_login(obs.pilote)
    refus = client.post(_url(obs, "rouvrir"), {"rouvrir-motif": "Erreur de saisie"})
    assert refus.status_code == 400
    assert "ne concerne qu'une réponse « validée »" in _texte(refus)
    client.post(_url(obs, "valider"), {"valider-confirme": "oui"})
    assert client.post(_url(obs, "rouvrir"), {"rouvrir-motif": ""}).status_code == 400
    assert client.post(_url(obs, "rouvrir"), {"rouvrir-motif": "Erreur de saisie"}).status_code == 302
    obs.reponse.refresh_from_db()
    assert obs.reponse.statut == Statut.A_CORRIGER and not obs.reponse.verrouillee
    assert list(Transition.objects.values_list("vers", "motif")) == [
        (Statut.VALIDEE, ""),
        (Statut.A_CORRIGER, "Erreur de saisie"),
    ]


@pytest.mark.django_db
def test_action_inconnue_et_get_refuses(client, obs):
    client.force_login(obs.pilote)
    assert client.post(_url(obs, "supprimer")).status_code == 404
    assert client.get(_url(obs, "valider")).status_code == 405


@pytest.mark.django_db
def test_commentaires_par_question(client, obs):
    client.force_login(obs.pilote)
    r = client.post(_url(obs, "commenter"), {"commenter-question": "q_nombre", "commenter-texte": "Chiffre élevé ?"})
    assert r.status_code == 302 and r.url.endswith("#question-q_nombre")
    assert client.post(_url(obs, "commenter"), {"commenter-texte": "Merci"}).status_code == 302
    refus = client.post(_url(obs, "commenter"), {"commenter-question": "inconnue", "commenter-texte": "?"})
    assert refus.status_code == 400 and "Question inconnue" in _texte(refus)
    assert client.post(_url(obs, "commenter"), {"commenter-texte": ""}).status_code == 400
    assert list(Commentaire.objects.values_list("question", "texte")) == [
        ("q_nombre", "Chiffre élevé ?"),
        ("", "Merci"),
    ]
    fil = selectors_relecture.commentaires_et_motifs(obs.reponse)
    assert [c.texte for c in fil["commentaires_par_question"]["q_nombre"]] == ["Chiffre élevé ?"]
    page = _texte(client.get(_url(obs)))
    assert "Chiffre élevé ?" in page and "Commentaires généraux" in page


@pytest.mark.django_db
def test_page_de_relecture_requetes_bornees(client, obs, django_assert_max_num_queries):
    client.force_login(obs.pilote)
    for i in range(5):
        Commentaire.objects.create(reponse=obs.reponse, question="q_nombre", auteur=obs.pilote, texte=f"n° {i}")
    with django_assert_max_num_queries(20):
        assert client.get(_url(obs)).status_code == 200


# --- Follow-up board -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tableau_de_suivi_comptes_et_retards(client, obs):
    a_corriger = _reponse(
        obs.campagne, StructureFactory(nom="Centre à corriger", commune=obs.communes[2]), "a_corriger", 1
    )
    t = Transition.objects.create(reponse=a_corriger, de=Statut.SOUMISE, vers=Statut.A_CORRIGER, motif="x")
    Transition.objects.filter(pk=t.pk).update(le=timezone.now() - datetime.timedelta(days=20))
    recent = _reponse(obs.campagne, StructureFactory(nom="Centre récent", commune=obs.communes[2]), "a_corriger", 1)
    Transition.objects.create(reponse=recent, de=Statut.SOUMISE, vers=Statut.A_CORRIGER, motif="x")
    suivi = selectors_relecture.suivi_campagne(obs.pilote, obs.campagne)
    assert (suivi.attendues, suivi.recues, suivi.validees) == (7, 6, 2)
    assert {s: n for s, _, n in suivi.par_statut} == {
        "brouillon": 1,
        "soumise": 2,
        "a_corriger": 2,
        "validee": 2,
    }
    assert [(r.structure.nom, r.retard) for r in suivi.en_retard] == [
        ("Centre brouillon", "Non soumise après la date limite"),
        ("Centre à corriger", "À corriger depuis 20 jours"),
    ]
    client.force_login(obs.pilote)
    url = reverse("observatoire:suivi", args=[obs.campagne.pk])
    page = _texte(client.get(url))
    assert "85,7\u00a0%" in page  # 6 received out of 7
    filtre = client.get(url, {"statut": "validee"})
    assert [r.structure.nom for r in filtre.context["suivi"].lignes] == ["Centre 1", "Centre 2"]
    par_commune = client.get(url, {"commune": obs.communes[0].code})
    assert [r.structure.nom for r in par_commune.context["suivi"].lignes] == ["Centre social des Bleuets"]
    assert client.get(url, {"statut": "nimportequoi", "commune": "xx"}).status_code == 200


@pytest.mark.django_db
def test_conseiller_ne_suit_que_ses_communes(obs):
    conseiller = UtilisateurFactory(role=Role.CONSEILLER, departements=[obs.dep], communes=[obs.communes[1]])
    suivi = selectors_relecture.suivi_campagne(conseiller, obs.campagne)
    assert (suivi.attendues, suivi.recues, suivi.validees) == (3, 3, 2)
    assert suivi.en_retard == []


@pytest.mark.django_db
def test_tableau_requetes_constantes(client, obs):
    client.force_login(obs.pilote)
    url = reverse("observatoire:suivi", args=[obs.campagne.pk])
    client.get(url)

    def compter():
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        return len(requetes)

    avant = compter()  # 5 answers
    for i in range(35):
        _reponse(obs.campagne, StructureFactory(commune=obs.communes[i % 3]), Statut.BROUILLON, None)
    assert compter() == avant  # 40 answers


# --- Reminders -----------------------------------------------------------------------------------------------


@pytest.fixture
def comptes(obs):
    en_retard = obs.brouillon.structure
    return SimpleNamespace(
        retard_1=UtilisateurFactory(role=Role.STRUCTURE, structure=en_retard, email="a@centre.fr"),
        retard_2=UtilisateurFactory(role=Role.STRUCTURE, structure=en_retard, email="b@centre.fr"),
        inactif=UtilisateurFactory(role=Role.STRUCTURE, structure=en_retard, email="c@centre.fr", is_active=False),
        a_jour=UtilisateurFactory(role=Role.STRUCTURE, structure=obs.cs, email="d@centre.fr"),
    )


@pytest.mark.django_db
def test_relance_depuis_le_tableau(client, obs, comptes):
    client.force_login(obs.pilote)
    url = reverse("observatoire:suivi_relancer", args=[obs.campagne.pk])
    assert client.post(url).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["a@centre.fr", "b@centre.fr"]
    message = mail.outbox[0]
    assert message.subject == "Observatoire 2016 : votre questionnaire est en attente"
    assert "« Centre brouillon »" in message.body and "non soumise après la date limite" in message.body
    # Same day: not sent again.
    client.post(url)
    assert len(mail.outbox) == 2
    # Explicitly choosing an answer that is not late sends nothing.
    mail.outbox.clear()
    cache.clear()
    client.post(url, {"reponse": [obs.reponse.pk]})
    assert mail.outbox == []


@pytest.mark.django_db
def test_relance_refusee_a_la_structure_et_le_lendemain_renvoyee(client, obs, comptes):
    client.force_login(comptes.a_jour)
    assert client.post(reverse("observatoire:suivi_relancer", args=[obs.campagne.pk])).status_code == 403
    assert mail.outbox == []
    reponses = list(selectors_relecture.reponses_suivies(obs.pilote, obs.campagne))
    aujourd_hui = timezone.localdate()
    assert len(services_relecture.relancer(par=obs.pilote, campagne=obs.campagne, reponses=reponses)) == 1
    assert services_relecture.relancer(par=obs.pilote, campagne=obs.campagne, reponses=reponses) == []
    demain = aujourd_hui + datetime.timedelta(days=1)
    envois = services_relecture.relancer(par=obs.pilote, campagne=obs.campagne, reponses=reponses, aujourd_hui=demain)
    assert [e["destinataires"] for e in envois] == [["a@centre.fr", "b@centre.fr"]]
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_commande_relancer_campagne(obs, comptes, capsys):
    call_command("relancer_campagne", "--campagne", str(obs.campagne.pk), "--simulation")
    assert mail.outbox == []
    assert "1 structure(s) seraient relancées." in capsys.readouterr().out
    call_command("relancer_campagne", "--campagne", str(obs.campagne.pk))
    assert len(mail.outbox) == 2
    call_command("relancer_campagne", "--campagne", str(obs.campagne.pk))
    assert len(mail.outbox) == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Campagne inconnue"):
        call_command("relancer_campagne", "--campagne", "999999")


@pytest.mark.django_db
def test_page_avec_le_questionnaire_senacs(client, territoire_94):
    from maillage.observatoire import services

    from ..conftest import SOCLE, THEME, reponse_complete

    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    campagne = CampagneFactory(departement=territoire_94.departement, questionnaire=socle, bloc_thematique=theme)
    cs = StructureFactory(commune=territoire_94.communes[0])
    reponse = ReponseFactory(
        campagne=campagne,
        structure=cs,
        statut=Statut.VALIDEE,
        valeurs=reponse_complete(),
        soumise_le=MAINTENANT,
        validee_le=MAINTENANT,
        verrouillee=True,
    )
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement]))
    page = client.get(reverse("observatoire:relire", args=[reponse.pk]))
    assert page.status_code == 200
    texte = _texte(page)
    assert "Rouvrir la réponse" in texte and "Valider la réponse" not in texte
    assert '<th scope="row">CDI</th><td class="nombre">20</td><td class="nombre">14</td>' in texte


# --- Workbench: comparisons, alerts once, neighbours, decisions -------------------------------------------------


@pytest.mark.django_db
def test_chaque_valeur_a_cote_de_l_an_dernier_et_de_la_mediane(client, obs):
    question = selectors_relecture.relecture(obs.reponse)["sections"][0]["questions"][0]
    # Last year's validated answer: 400; median of the others submitted or validated (100, 200, 300): 200.
    assert question["comparaison"] == {"precedente": "400", "mediane": "200", "nb": 3}
    client.force_login(obs.pilote)
    texte = _texte(client.get(_url(obs)))
    assert "<dd>1\u202f000</dd>" in texte
    assert "L'an dernier :</span> 400" in texte and "Médiane du département :</span> 200 (3 réponses)" in texte


def test_comparaisons_pur_tableau_et_mediane_trop_courte():
    from maillage.observatoire.questionnaire import assembler

    from ..conftest import SOCLE, lire

    definition = assembler(lire(SOCLE))
    question = definition.questions["pers_contrats"]
    precedentes = {"pers_contrats": {"cdi": {"effectif": 3, "etp": 2.5}, "cdd": {"effectif": 1, "etp": 0.5}}}
    autres = [{"pers_contrats": {"cdi": {"effectif": n, "etp": n}}} for n in (1, 2, 10)]
    comparaison = selectors_relecture.comparaisons(definition, question, precedentes, autres)
    colonnes = [c["code"] for c in question["colonnes"]]
    assert comparaison["precedente"][colonnes.index("effectif")] == "4"
    assert comparaison["precedente"][colonnes.index("etp")] == "3"
    assert comparaison["mediane"][colonnes.index("effectif")] == "2" and comparaison["nb"] == 3
    # Fewer than 3 answers: no median (it would show one structure's figure).
    nombre = definition.questions["pub_personnes"]
    assert selectors_relecture.comparaisons(definition, nombre, None, [{"pub_personnes": 5}] * 2) == {
        "precedente": "—",
        "mediane": None,
        "nb": 2,
    }
    # A choice: last year's answer as its label, no median; a long text: nothing.
    choix = definition.questions["id_mode_gestion"]
    assert selectors_relecture.comparaisons(definition, choix, {"id_mode_gestion": "association"}, []) == {
        "precedente": "Association",
        "mediane": None,
        "nb": 0,
    }
    longs = [q for q in definition.questions.values() if q["type"] == "texte_long"]
    assert longs and selectors_relecture.comparaisons(definition, longs[0], None, []) is None


@pytest.mark.django_db
def test_alerte_affichee_une_fois_sous_sa_question(client, territoire_94):
    from maillage.observatoire import services

    from ..conftest import SOCLE, THEME, reponse_complete

    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    campagne = CampagneFactory(departement=territoire_94.departement, questionnaire=socle, bloc_thematique=theme)
    valeurs = reponse_complete(pub_personnes=500)  # age bands: 900 > 500
    reponse = ReponseFactory(
        campagne=campagne,
        structure=StructureFactory(commune=territoire_94.communes[0]),
        statut=Statut.SOUMISE,
        valeurs=valeurs,
        soumise_le=MAINTENANT,
    )
    donnees = selectors_relecture.relecture(reponse)
    par_question = {q["code"]: q for s in donnees["sections"] for q in s["questions"]}
    regles_vues = [a.regle for q in par_question.values() for a in q["alertes"]]
    assert regles_vues.count("tranches_age") == 1
    assert [a.regle for a in par_question["pub_tranches_age"]["alertes"]] == ["tranches_age"]
    assert par_question["pub_personnes"]["alertes"] == []
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[territoire_94.departement]))
    texte = _texte(client.get(reverse("observatoire:relire", args=[reponse.pk])))
    assert texte.count("La somme des tranches d'âge (900) dépasse le nombre de personnes touchées (500).") == 1
    # The section menu counts it, and the decision needs the confirmation.
    assert 'href="#section-publics"' in texte and 'name="valider-confirme"' in texte


@pytest.mark.django_db
def test_decisions_distinctes_et_confirmation_seulement_avec_signalements(client, obs):
    client.force_login(obs.pilote)
    texte = _texte(client.get(_url(obs)))
    assert '<button type="submit" class="bouton">Valider la réponse</button>' in texte
    assert '<button type="submit" class="bouton bouton--danger">Renvoyer à corriger</button>' in texte
    assert "J'ai vu les 2 signalements et je valide quand même" in texte
    # An answer without any signalement is validated in one step, without the checkbox.
    sage = obs.autres[0]  # 100: no last year, median of the others (200, 300, 1 000) 300, 100 is not below 300 / 3
    assert selectors_relecture.relecture(sage)["nb_signalements"] == 0
    page = _texte(client.get(reverse("observatoire:relire", args=[sage.pk])))
    assert 'name="valider-confirme"' not in page
    assert client.post(reverse("observatoire:relire_action", args=[sage.pk, "valider"])).status_code == 302


@pytest.mark.django_db
def test_reponse_suivante_et_precedente_dans_l_ordre_du_suivi(client, obs):
    client.force_login(obs.pilote)
    # Follow-up order (structure name): Centre 0, Centre 1, Centre 2, Centre brouillon, Centre social des Bleuets.
    texte = _texte(client.get(_url(obs)))
    assert "Réponse 5 sur 5 de la liste de suivi" in texte
    precedente = reverse("observatoire:relire", args=[obs.brouillon.pk])
    assert f'href="{precedente}" rel="prev" data-raccourci="k"' in texte and 'rel="next"' not in texte
    # With the board's filter (submitted only): Centre 0 then the Bleuets; the filter is carried along.
    filtre = _texte(client.get(_url(obs) + "?statut=soumise"))
    assert "Réponse 2 sur 2 de la liste de suivi (filtrée)" in filtre
    centre_0 = reverse("observatoire:relire", args=[obs.autres[0].pk]) + "?statut=soumise"
    assert f'href="{centre_0}" rel="prev"' in filtre
    suite = _texte(client.get(centre_0))
    assert f'href="{_url(obs)}?statut=soumise" rel="next" data-raccourci="j"' in suite
    # The board links to the review with its filter; shortcuts are documented on the page.
    suivi = _texte(client.get(reverse("observatoire:suivi", args=[obs.campagne.pk]) + "?statut=soumise"))
    assert f'href="{_url(obs)}?statut=soumise"' in suivi
    assert "<kbd>j</kbd> réponse suivante, <kbd>k</kbd> réponse précédente" in suite
    # A bad filter value is ignored, never a 500.
    assert client.get(_url(obs) + "?statut=inconnu&commune=%3Cx%3E").status_code == 200


@pytest.mark.django_db
def test_voisines_du_conseiller_limitees_a_ses_communes(obs):
    creteil = obs.communes[0]
    conseiller = UtilisateurFactory(role=Role.CONSEILLER, departements=[obs.dep], communes=[creteil])
    assert selectors_relecture.voisines(conseiller, obs.reponse) == {
        "precedente": None,
        "suivante": None,
        "rang": 1,
        "total": 1,
    }


@pytest.mark.django_db
def test_relecture_requetes_bornees_quel_que_soit_le_nombre_de_reponses(client, obs, django_assert_max_num_queries):
    client.force_login(obs.pilote)
    with CaptureQueriesContext(connection) as avant:
        assert client.get(_url(obs)).status_code == 200
    for i in range(15):
        _reponse(obs.campagne, StructureFactory(nom=f"Autre {i}", commune=obs.communes[1]), Statut.VALIDEE, 100 + i)
    with django_assert_max_num_queries(len(avant)):
        assert client.get(_url(obs)).status_code == 200
