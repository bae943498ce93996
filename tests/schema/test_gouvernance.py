"""Governance of a schéma: instances, meetings (attendance, minutes file, progress frozen when held), decisions
and their status, the follow-up board's selector and the committee's preparation figures.

`construire_jeu` (also used by test_gouvernance_pages.py) builds one schéma of the 94 on the demo's clock."""

import datetime
import io
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.comptes.models import Organisation, Role
from maillage.core.versions import ConflitVersion
from maillage.schema import selectors_gouvernance as selecteurs
from maillage.schema import services_gouvernance as services
from maillage.schema.models import Decision, FicheAction, Instance, Reunion
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.schema.factories import (
    AxeFactory,
    DecisionFactory,
    FicheActionFactory,
    InstanceFactory,
    JalonFactory,
    OrientationFactory,
    ReunionFactory,
    SchemaFactory,
)
from tests.territoires.factories import DepartementFactory, RegionFactory

JOUR = datetime.date(2016, 11, 20)


def moment(jour: datetime.date, heure: int = 14) -> datetime.datetime:
    """A meeting's date and time in Paris (winter time: UTC+1)."""
    return datetime.datetime(jour.year, jour.month, jour.day, heure - 1, 0, tzinfo=datetime.UTC)


def construire_jeu(settings) -> SimpleNamespace:
    """A schéma of the 94 on the demo's clock (20/11/2016): two axes, four actions, a COPIL met on 15/06/2016 (its
    progress frozen) and meeting next on 25/11/2016, five decisions; organisations, accounts of each role, and a
    schéma of the 93."""
    settings.MAILLAGE_AUJOURDHUI = JOUR
    region = RegionFactory(code="11")
    dep = DepartementFactory(code="94", nom="Val-de-Marne", region=region)
    dep93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=region)
    caf = OrganisationFactory(nom="Caf du Val-de-Marne", type=Organisation.Type.CAF, departement=dep)
    cd = OrganisationFactory(nom="Conseil départemental", type=Organisation.Type.CONSEIL_DEPARTEMENTAL, departement=dep)
    federation = OrganisationFactory(nom="Fédération des centres sociaux", departement=dep)
    org93 = OrganisationFactory(nom="Conseil départemental 93", departement=dep93)

    schema = SchemaFactory(departement=dep, titre="SDAVS du Val-de-Marne 2016-2020")
    axe1 = AxeFactory(schema=schema, numero=1, titre="Organiser l'action publique")
    axe2 = AxeFactory(schema=schema, numero=2, titre="Redonner du sens à l'évaluation")
    o1 = OrientationFactory(axe=axe1, numero=1)
    o2 = OrientationFactory(axe=axe2, numero=1)
    # Late by its end date; late by a milestone; done; abandoned (end passed, not late, out of the progress).
    f1 = FicheActionFactory(orientation=o1, numero="1.1.1", avancement=60, fin=datetime.date(2016, 10, 31))
    f2 = FicheActionFactory(orientation=o1, numero="1.1.2", avancement=20, pilote=cd)
    JalonFactory(fiche=f2, libelle="Réunir les communes", echeance=datetime.date(2016, 11, 1))
    JalonFactory(fiche=f2, libelle="Signer la charte", echeance=datetime.date(2017, 1, 15))
    f3 = FicheActionFactory(
        orientation=o2,
        numero="2.1.1",
        avancement=100,
        statut=FicheAction.Statut.REALISEE,
        debut=datetime.date(2016, 1, 4),
        fin=datetime.date(2016, 6, 30),
    )
    f4 = FicheActionFactory(
        orientation=o2, numero="2.1.2", avancement=10, statut=FicheAction.Statut.ABANDONNEE,
        fin=datetime.date(2016, 9, 30),
    )  # fmt: skip

    copil = InstanceFactory(schema=schema, nom="COPIL du schéma", mission="Piloter le schéma.")
    copil.organisations.set([caf, cd, federation])
    juin = ReunionFactory(
        instance=copil,
        date=moment(datetime.date(2016, 6, 15)),
        avancements_figes={"date": "2016-06-15", "schema": 30.0, "axes": {"1": 25.0, "2": 40.0}},
    )
    novembre = ReunionFactory(instance=copil, date=moment(datetime.date(2016, 11, 25)), lieu="Caf, Créteil")
    S = Decision.Statut
    d_retard = DecisionFactory(reunion=juin, texte="Réunir les communes", responsable=cd,
                               echeance=datetime.date(2016, 11, 1), statut=S.A_FAIRE)  # fmt: skip
    d_due = DecisionFactory(reunion=juin, texte="Proposer la charte", responsable=federation,
                            echeance=datetime.date(2016, 11, 24), statut=S.EN_COURS)  # fmt: skip
    d_plus_tard = DecisionFactory(reunion=juin, texte="Évaluer", echeance=datetime.date(2016, 12, 31))
    d_faite = DecisionFactory(reunion=juin, texte="Adopter", echeance=datetime.date(2016, 10, 1), statut=S.FAITE)
    d_sans = DecisionFactory(reunion=juin, texte="Informer le réseau", echeance=None)
    d_retard.fiches.set([f2])

    schema93 = SchemaFactory(departement=dep93)
    fiche93 = FicheActionFactory(orientation__axe__schema=schema93)
    instance93 = InstanceFactory(schema=schema93)
    reunion93 = ReunionFactory(instance=instance93)

    def compte(role, departement=dep, organisation=None, **kwargs):
        return UtilisateurFactory(role=role, departements=[departement], organisation=organisation, **kwargs)

    return SimpleNamespace(
        dep=dep,
        dep93=dep93,
        caf=caf,
        cd=cd,
        federation=federation,
        org93=org93,
        schema=schema,
        axes=(axe1, axe2),
        fiches=(f1, f2, f3, f4),
        copil=copil,
        juin=juin,
        novembre=novembre,
        d_retard=d_retard,
        d_due=d_due,
        d_plus_tard=d_plus_tard,
        d_faite=d_faite,
        d_sans=d_sans,
        schema93=schema93,
        fiche93=fiche93,
        reunion93=reunion93,
        pilote=compte(Role.PILOTE, organisation=caf, first_name="Claire", last_name="Pilote"),
        pilote93=compte(Role.PILOTE, dep93, organisation=org93),
        conseiller=compte(Role.CONSEILLER, organisation=caf),
        partenaire_cd=compte(Role.PARTENAIRE, organisation=cd, first_name="Paul", last_name="Départemental"),
        partenaire_federation=compte(Role.PARTENAIRE, organisation=federation),
        partenaire93=compte(Role.PARTENAIRE, dep93, organisation=org93),
        structure=compte(Role.STRUCTURE),
        admin=UtilisateurFactory(role=Role.ADMIN),
    )


@pytest.fixture
def g(db, settings):
    return construire_jeu(settings)


def pdf(nom="compte-rendu.pdf", taille=None) -> SimpleUploadedFile:
    contenu = b"%PDF-1.4\n% compte rendu\n" + (b"0" * taille if taille else b"") + b"\n%%EOF\n"
    return SimpleUploadedFile(nom, contenu, content_type="application/pdf")


# --- Instances --------------------------------------------------------------------------------------------------


def test_instance_creee_avec_ses_membres_et_journalisee(g):
    instance = services.instance_creer(
        par=g.pilote,
        schema=g.schema,
        type="cotech",
        nom="  COTECH du schéma ",
        mission="Préparer les COPIL.",
        organisations=[g.caf, g.federation],
        membres=[g.partenaire_cd],
    )
    assert (instance.nom, instance.type, instance.version) == ("COTECH du schéma", "cotech", 1)
    assert set(instance.organisations.all()) == {g.caf, g.federation}
    assert list(instance.membres.all()) == [g.partenaire_cd]
    entree = LogEntry.objects.get_for_object(instance).get(action=LogEntry.Action.CREATE)
    assert entree.actor == g.pilote


def test_instance_refusee_avec_messages_et_rien_d_ecrit(g):
    with pytest.raises(ValidationError) as erreur:
        services.instance_creer(
            par=g.pilote, schema=g.schema, type="assemblee", nom=" ", organisations=[g.org93], membres=[g.pilote93]
        )
    assert erreur.value.message_dict == {
        "type": [
            "Choisissez un type d'instance de la liste : Comité de pilotage (COPIL), Comité technique (COTECH), "
            "Groupe de travail."
        ],
        "nom": ["Donnez un nom à l'instance."],
        "organisations": ["Choisissez des organisations du département du schéma."],
        "membres": ["Choisissez des comptes du département du schéma."],
    }
    with pytest.raises(ValidationError) as erreur:
        services.instance_creer(par=g.pilote, schema=g.schema, type="copil", nom="copil DU SCHÉMA")
    assert erreur.value.message_dict == {"nom": ["Une instance de ce schéma porte déjà ce nom."]}
    assert Instance.objects.filter(schema=g.schema).count() == 1


@pytest.mark.parametrize("qui", ["conseiller", "partenaire_cd", "structure", "pilote93"])
def test_seul_le_pilote_du_departement_gere_les_instances(g, qui):
    with pytest.raises(PermissionDenied):
        services.instance_creer(par=getattr(g, qui), schema=g.schema, type="groupe", nom="Groupe QPV")
    with pytest.raises(PermissionDenied):
        services.instance_modifier(par=getattr(g, qui), instance=g.copil, type="copil", nom="Autre nom")
    assert Instance.objects.get(pk=g.copil.pk).nom == "COPIL du schéma"


def test_instance_modifiee_avec_sa_version(g):
    services.instance_modifier(
        par=g.pilote, instance=g.copil, type="copil", nom="Comité de pilotage", organisations=[g.caf], version=1
    )
    g.copil.refresh_from_db()
    assert (g.copil.nom, g.copil.version, list(g.copil.organisations.all())) == ("Comité de pilotage", 2, [g.caf])
    with pytest.raises(ConflitVersion) as conflit:
        services.instance_modifier(par=g.pilote, instance=g.copil, type="copil", nom="Encore", version=1)
    assert "Comité de pilotage" in conflit.value.message_conflit
    assert Instance.objects.get(pk=g.copil.pk).nom == "Comité de pilotage"


def test_instance_avec_reunions_non_supprimee(g):
    with pytest.raises(ValidationError, match="supprimez d'abord ses réunions"):
        services.instance_supprimer(par=g.pilote, instance=g.copil)
    vide = InstanceFactory(schema=g.schema, nom="Groupe de travail QPV", type="groupe")
    pk = vide.pk
    services.instance_supprimer(par=g.pilote, instance=vide)
    assert not Instance.objects.filter(pk=pk).exists()
    assert LogEntry.objects.get(object_pk=str(pk), action=LogEntry.Action.DELETE).actor == g.pilote


# --- Meetings ---------------------------------------------------------------------------------------------------


def _documenter(g, reunion=None, **champs):
    reunion = reunion or g.juin
    valeurs = {"date": reunion.date, "lieu": "Caf", "ordre_du_jour": "1. Bilan", "compte_rendu": "", **champs}
    return services.reunion_modifier(par=g.pilote, reunion=reunion, **valeurs)


def test_reunion_documentee_presences_et_compte_rendu(g):
    _documenter(
        g,
        organisations_presentes=[g.caf, g.cd],
        presents=[g.pilote, g.partenaire_cd],
        compte_rendu="Le COPIL valide le plan d'action.",
        fichier=pdf(),
        version=1,
    )
    g.juin.refresh_from_db()
    assert set(g.juin.organisations_presentes.all()) == {g.caf, g.cd}
    assert set(g.juin.presents.all()) == {g.pilote, g.partenaire_cd}
    assert g.juin.compte_rendu == "Le COPIL valide le plan d'action."
    assert g.juin.compte_rendu_fichier.name.endswith(".pdf")
    with g.juin.compte_rendu_fichier.open("rb") as fichier:
        assert fichier.read().startswith(b"%PDF-")
    assert g.juin.version == 2


@pytest.mark.parametrize(
    ("fichier", "message"),
    [
        (SimpleUploadedFile("cr.xlsx", b"PK\x03\x04"), "Format refusé : déposez le compte rendu en PDF, ODT ou DOCX."),
        (SimpleUploadedFile("cr.exe", b"MZ"), "Format refusé : déposez le compte rendu en PDF, ODT ou DOCX."),
        (SimpleUploadedFile("cr.pdf", b"<html>pas un PDF</html>"), "Ce fichier n'est pas un PDF valide."),
        (
            SimpleUploadedFile("cr.docx", b"PK\x03\x04 tronque"),
            "Le contenu du fichier ne correspond pas à un document DOCX.",
        ),
        (SimpleUploadedFile("cr.pdf", b""), "Le fichier est vide."),
        (pdf(taille=10 * 1024 * 1024), "Le fichier dépasse la taille maximale de 10 Mo."),
    ],
)
def test_fichier_de_compte_rendu_refuse(g, fichier, message):
    with pytest.raises(ValidationError) as erreur:
        _documenter(g, compte_rendu="Texte", fichier=fichier, version=1)
    assert erreur.value.message_dict == {"compte_rendu_fichier": [message]}
    g.juin.refresh_from_db()
    assert (g.juin.compte_rendu, g.juin.compte_rendu_fichier.name, g.juin.version) == ("", "", 1)


def test_compte_rendu_odt_accepte_puis_remplace_et_retire(g, settings, django_capture_on_commit_callbacks):
    import zipfile

    contenu = io.BytesIO()
    with zipfile.ZipFile(contenu, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    _documenter(g, fichier=SimpleUploadedFile("cr.odt", contenu.getvalue()))
    g.juin.refresh_from_db()
    premier = g.juin.compte_rendu_fichier.name
    assert premier.endswith(".odt")
    with django_capture_on_commit_callbacks(execute=True):
        _documenter(g, fichier=pdf())
    g.juin.refresh_from_db()
    assert g.juin.compte_rendu_fichier.name.endswith(".pdf")
    assert not (settings.MEDIA_ROOT / premier).exists()  # the replaced file is gone (once committed)
    _documenter(g, retirer_fichier=True)
    g.juin.refresh_from_db()
    assert g.juin.compte_rendu_fichier.name == ""


def test_reunion_tenue_fige_l_avancement(g):
    _documenter(g, reunion=g.novembre, tenue=True, jour=datetime.date(2016, 11, 25))
    g.novembre.refresh_from_db()
    assert g.novembre.avancements_figes == {"date": "2016-11-25", "schema": 60.0, "axes": {"1": 40.0, "2": 100.0}}
    # Recorded as held once: documenting it again does not move the frozen values.
    FicheAction.objects.filter(pk=g.fiches[0].pk).update(avancement=80)
    _documenter(g, reunion=g.novembre, tenue=True, jour=datetime.date(2016, 11, 30))
    g.novembre.refresh_from_db()
    assert g.novembre.avancements_figes["date"] == "2016-11-25"
    # The explicit action freezes again.
    services.reunion_figer(
        par=g.pilote, reunion=g.novembre, version=g.novembre.version, jour=datetime.date(2016, 12, 1)
    )
    g.novembre.refresh_from_db()
    assert g.novembre.avancements_figes == {"date": "2016-12-01", "schema": 66.7, "axes": {"1": 50.0, "2": 100.0}}


def test_reunion_a_venir_pas_figee(g):
    with pytest.raises(ValidationError) as erreur:
        _documenter(g, reunion=g.novembre, tenue=True)
    assert erreur.value.message_dict == {
        "tenue": ["Cette réunion est prévue le 25/11/2016 : l'avancement sera figé une fois qu'elle se sera tenue."]
    }
    with pytest.raises(ValidationError):
        services.reunion_figer(par=g.pilote, reunion=g.novembre)
    assert Reunion.objects.get(pk=g.novembre.pk).avancements_figes == {}


def test_reunion_version_perimee_refusee(g):
    _documenter(g, lieu="Préfecture", version=1)
    with pytest.raises(ConflitVersion) as conflit:
        _documenter(g, lieu="Caf", version=1)
    assert "Préfecture" in conflit.value.message_conflit
    assert Reunion.objects.get(pk=g.juin.pk).lieu == "Préfecture"


def test_reunion_creee_et_validee(g):
    with pytest.raises(ValidationError) as erreur:
        services.reunion_creer(par=g.pilote, instance=g.copil, date=None, lieu="x" * 301)
    assert set(erreur.value.message_dict) == {"date", "lieu"}
    reunion = services.reunion_creer(
        par=g.pilote, instance=g.copil, date=datetime.datetime(2017, 3, 2, 9, 30), ordre_du_jour="Bilan"
    )
    assert selecteurs.titre(reunion) == "COPIL du schéma du 02/03/2017"
    with pytest.raises(PermissionDenied):
        services.reunion_creer(par=g.partenaire_cd, instance=g.copil, date=datetime.datetime(2017, 3, 2, 9, 30))


def test_reunion_avec_decisions_non_supprimee(g):
    with pytest.raises(ValidationError, match="supprimez-les d'abord"):
        services.reunion_supprimer(par=g.pilote, reunion=g.juin)
    services.reunion_supprimer(par=g.pilote, reunion=g.novembre)
    assert not Reunion.objects.filter(pk=g.novembre.pk).exists()


# --- Decisions --------------------------------------------------------------------------------------------------


def test_decision_liee_aux_fiches_du_schema(g):
    decision = services.decision_creer(
        par=g.pilote,
        reunion=g.novembre,
        texte=" Lancer le groupe QPV ",
        fiches=[g.fiches[0], g.fiches[1]],
        responsable=g.cd,
        echeance=datetime.date(2016, 11, 25),  # the meeting's own day is allowed
    )
    assert (decision.texte, decision.statut, decision.responsable) == ("Lancer le groupe QPV", "a_faire", g.cd)
    assert set(decision.fiches.all()) == {g.fiches[0], g.fiches[1]}
    assert LogEntry.objects.get_for_object(decision).filter(actor=g.pilote).exists()


def test_decision_refusee_fiche_d_un_autre_schema_echeance_avant_la_reunion(g):
    with pytest.raises(ValidationError) as erreur:
        services.decision_creer(
            par=g.pilote,
            reunion=g.novembre,
            texte="",
            fiches=[g.fiches[0], g.fiche93],
            responsable=g.org93,
            echeance=datetime.date(2016, 11, 24),
            statut="reportee",
        )
    assert erreur.value.message_dict == {
        "texte": ["Écrivez la décision."],
        "fiches": ["Une décision ne peut être liée qu'à des fiches actions de ce schéma."],
        "responsable": ["Choisissez une organisation du département du schéma."],
        "echeance": ["L'échéance ne peut pas précéder la réunion qui a pris la décision (25/11/2016)."],
        "statut": ["Choisissez un statut de la liste : À faire, En cours, Faite, Abandonnée."],
    }
    assert g.novembre.decisions.count() == 0


def test_statut_par_le_partenaire_responsable_pas_par_un_autre(g):
    services.decision_changer_statut(par=g.partenaire_cd, decision=g.d_retard, statut="en_cours", version=1)
    g.d_retard.refresh_from_db()
    assert (g.d_retard.statut, g.d_retard.version) == ("en_cours", 2)
    entree = LogEntry.objects.get_for_object(g.d_retard).latest("pk")
    assert entree.actor == g.partenaire_cd and entree.changes_dict["statut"] == ["a_faire", "en_cours"]
    for qui in ("partenaire_federation", "conseiller", "structure", "partenaire93", "pilote93"):
        with pytest.raises(PermissionDenied):
            services.decision_changer_statut(par=getattr(g, qui), decision=g.d_retard, statut="faite")
    # The responsible partner moves the status on, not the decision itself.
    with pytest.raises(PermissionDenied):
        services.decision_modifier(par=g.partenaire_cd, decision=g.d_retard, texte="Autre", statut="faite")
    assert Decision.objects.get(pk=g.d_retard.pk).statut == "en_cours"


def test_statut_version_perimee_et_valeur_inconnue(g):
    services.decision_changer_statut(par=g.pilote, decision=g.d_due, statut="faite", version=1)
    with pytest.raises(ConflitVersion) as conflit:
        services.decision_changer_statut(par=g.partenaire_federation, decision=g.d_due, statut="abandonnee", version=1)
    assert "« En cours » → « Faite »" in conflit.value.message_conflit
    with pytest.raises(ValidationError):
        services.decision_changer_statut(par=g.pilote, decision=g.d_due, statut="finie")
    assert Decision.objects.get(pk=g.d_due.pk).statut == "faite"


def test_decision_modifiee_et_supprimee_par_le_pilote(g):
    services.decision_modifier(
        par=g.pilote, decision=g.d_sans, texte="Informer tout le réseau", fiches=[g.fiches[2]],
        responsable=g.federation, echeance=datetime.date(2017, 1, 31), statut="en_cours", version=1,
    )  # fmt: skip
    g.d_sans.refresh_from_db()
    assert (g.d_sans.texte, g.d_sans.responsable, g.d_sans.statut) == (
        "Informer tout le réseau",
        g.federation,
        "en_cours",
    )
    assert list(g.d_sans.fiches.all()) == [g.fiches[2]]
    services.decision_supprimer(par=g.pilote, decision=g.d_sans)
    assert not Decision.objects.filter(pk=g.d_sans.pk).exists()


# --- Reads ------------------------------------------------------------------------------------------------------


def test_instances_et_reunions_a_venir_et_passees(g, django_assert_num_queries):
    autre = ReunionFactory(instance=g.copil, date=moment(datetime.date(2016, 3, 1)))
    with django_assert_num_queries(4):
        lignes = selecteurs.gouvernance(g.schema)
        assert [ligne.instance for ligne in lignes] == [g.copil]
        assert lignes[0].a_venir == [g.novembre]
        assert lignes[0].passees == [g.juin, autre]
        assert [r.nombre_decisions for r in lignes[0].passees] == [5, 0]
        assert [o.nom for o in lignes[0].instance.organisations.all()] == [
            "Caf du Val-de-Marne", "Conseil départemental", "Fédération des centres sociaux",
        ]  # fmt: skip
    assert selecteurs.prochaine_reunion(lignes) == g.novembre


def test_tableau_filtres_et_comptes(g):
    def textes(**filtres):
        return [d.texte for d in selecteurs.decisions_du_schema(g.schema, **filtres)]

    assert textes() == ["Adopter", "Réunir les communes", "Proposer la charte", "Évaluer", "Informer le réseau"]
    assert textes(en_retard=True) == ["Réunir les communes"]
    assert textes(statut="en_cours") == ["Proposer la charte"]
    assert textes(responsable=g.federation) == ["Proposer la charte"]
    assert textes(responsable=g.cd, statut="faite") == []
    assert selecteurs.compter_decisions(g.schema) == {
        "total": 5, "en_retard": 1, "a_faire": 3, "en_cours": 1, "faite": 1, "abandonnee": 0,
    }  # fmt: skip
    # Another schéma's decisions never show.
    DecisionFactory(reunion=g.reunion93, echeance=datetime.date(2016, 1, 1))
    assert selecteurs.compter_decisions(g.schema)["en_retard"] == 1


def test_preparation_ecarts_retards_et_decisions_dues(g, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        p = selecteurs.preparation(g.novembre)
        assert p.precedente == g.juin
        assert [(ligne.libelle, ligne.maintenant, ligne.avant, ligne.ecart) for ligne in p.avancements] == [
            ("Schéma (ensemble des axes)", 60.0, 30.0, 30.0),
            ("Axe 1. Organiser l'action publique", 40.0, 25.0, 15.0),
            ("Axe 2. Redonner du sens à l'évaluation", 100.0, 40.0, 60.0),
        ]
        assert [(r.fiche.numero, r.fin_depassee, [j.libelle for j in r.jalons]) for r in p.actions_en_retard] == [
            ("1.1.1", True, []),
            ("1.1.2", False, ["Réunir les communes"]),
        ]
        assert [d.texte for d in p.decisions_dues] == ["Réunir les communes", "Proposer la charte"]
        assert [f.numero for f in p.decisions_dues[0].fiches.all()] == ["1.1.2"]


def test_preparation_sans_reunion_precedente_figee(g):
    # The first meeting of an instance: nothing to compare with; an earlier one not recorded as held is skipped.
    p = selecteurs.preparation(g.juin)
    assert p.precedente is None
    assert [(ligne.avant, ligne.ecart) for ligne in p.avancements] == [(None, None)] * 3
    Reunion.objects.filter(pk=g.juin.pk).update(avancements_figes={})
    assert selecteurs.preparation(g.novembre).precedente is None
    # A new axe (absent from the frozen values) shows no difference.
    Reunion.objects.filter(pk=g.juin.pk).update(
        avancements_figes={"date": "2016-06-15", "schema": 30, "axes": {"1": 25}}
    )
    lignes = selecteurs.preparation(g.novembre).avancements
    assert [(ligne.avant, ligne.ecart) for ligne in lignes] == [(30.0, 30.0), (25.0, 15.0), (None, None)]


def test_preparation_indicateurs_hors_trajectoire(g):
    lignes = [SimpleNamespace(code="A", en_bonne_voie=True), SimpleNamespace(code="B", en_bonne_voie=False),
              SimpleNamespace(code="C", en_bonne_voie=None)]  # fmt: skip
    p = selecteurs.preparation(g.novembre, indicateurs=lignes)
    assert [i.code for i in p.indicateurs_hors_trajectoire] == ["B"]


def test_decisions_de_la_fiche(g):
    assert selecteurs.decisions_de_la_fiche(g.fiches[1]) == [g.d_retard]
    assert selecteurs.decisions_de_la_fiche(g.fiches[0]) == []
