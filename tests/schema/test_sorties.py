"""The schéma as files: the PDF (public and internal versions) and the XLSX workbook, produced as background work,
reused while the data do not change, each with its rights; the key figures beside those frozen at adoption."""

import contextlib
import datetime
import io
import os
import re
import zlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.comptes.models import Organisation, Role
from maillage.core.models import Travail
from maillage.schema import services, sorties
from maillage.schema.models import CommentaireAction, Indicateur, Schema
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.schema.factories import (
    AxeFactory,
    DecisionFactory,
    EnjeuFactory,
    FicheActionFactory,
    IndicateurFactory,
    InstanceFactory,
    JalonFactory,
    OrientationFactory,
    ReunionFactory,
    SchemaFactory,
    ValeurIndicateurFactory,
)
from tests.territoires.factories import DepartementFactory

PDF_REQUIS = os.environ.get("MAILLAGE_E2E_REQUIS", "") not in ("", "0")
sans_pango = pytest.mark.skipif(
    not sorties.pdf_disponible() and not PDF_REQUIS,
    reason="WeasyPrint ne peut pas se charger : bibliothèques Pango absentes localement (requises en CI).",
)
BASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
COMMENTAIRE = "Commentaire interne : arbitrage budgétaire attendu du partenaire."
FORMULE = '=HYPERLINK("http://exemple.invalid","cliquez")'


def fiches(schema, orientation, nombre, pilote, **kwargs):
    return [
        FicheActionFactory(orientation=orientation, numero=f"{orientation.code}.{n}", pilote=pilote, **kwargs)
        for n in range(1, nombre + 1)
    ]


@pytest.fixture
def monde(territoire_94):
    dep = territoire_94.departement
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    federation = OrganisationFactory(departement=dep, type=Organisation.Type.FEDERATION, nom="Fédération (test)")
    caf = OrganisationFactory(departement=dep, type=Organisation.Type.CAF, nom="Caf (test)")
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[dep], first_name="Claire", last_name="Pilote")
    partenaire = UtilisateurFactory(
        role=Role.PARTENAIRE, departements=[dep], organisation=federation, first_name="Sophie", last_name="Référente"
    )
    schema = SchemaFactory(
        departement=dep,
        titre="Schéma directeur de test 2016-2020",
        statut=Schema.Statut.EN_COURS,
        signataires=[caf, federation],
        realise_par="Cabinet de test",
        diagnostic_fige={"date": "2015-12-31", "annee_budgets": 2015, "fige_le": "2016-06-30",
                         "chiffres": {"structures": 47, "centres_sociaux": 35, "evs": 12, "budget_total": 17500000}},
    )  # fmt: skip
    EnjeuFactory(schema=schema, numero=1, titre="Favoriser l’inclusion, lutter contre l’isolement")
    axe1 = AxeFactory(schema=schema, numero=1, titre="Organiser l’action publique")
    axe2 = AxeFactory(schema=schema, numero=2, titre="Redonner du sens à l’évaluation")
    o11 = OrientationFactory(axe=axe1, numero=1, titre="Articuler les politiques")
    o21 = OrientationFactory(axe=axe2, numero=1, titre="Référentiel partagé")
    (f1,) = fiches(schema, o11, 1, federation, titre=FORMULE, avancement=40)
    f1.referents.set([partenaire])
    fiches(schema, o21, 2, caf, avancement=80)
    JalonFactory(fiche=f1, libelle="Jalon passé", echeance=datetime.date(2016, 10, 1))
    CommentaireAction.objects.create(fiche=f1, auteur=partenaire, auteur_libelle="Sophie Référente", texte=COMMENTAIRE)
    indicateur = IndicateurFactory(schema=schema, code="RENCONTRES", libelle="Rencontres du réseau", unite="rencontres",
                                   reference_valeur=2, reference_date=datetime.date(2015, 12, 31), cible_valeur=6,
                                   cible_date=datetime.date(2020, 12, 31))  # fmt: skip
    ValeurIndicateurFactory(indicateur=indicateur, date=datetime.date(2016, 12, 31), valeur=4, auteur=pilote,
                            commentaire="Journée et ateliers")  # fmt: skip
    reunion = ReunionFactory(instance=InstanceFactory(schema=schema, nom="COPIL de test"), lieu="Salle du conseil")
    reunion.organisations_presentes.set([caf, federation])
    reunion.presents.set([pilote, partenaire])
    reunion.compte_rendu = "Compte rendu interne du comité."
    reunion.save()
    decision = DecisionFactory(reunion=reunion, texte="Valider le référentiel", responsable=federation)
    decision.fiches.set([f1])
    return SimpleNamespace(
        dep=dep,
        schema=schema,
        fiche=f1,
        o21=o21,
        caf=caf,
        pilote=pilote,
        partenaire=partenaire,
        structure=UtilisateurFactory(role=Role.STRUCTURE, departements=[dep]),
        pilote93=UtilisateurFactory(role=Role.PILOTE, departements=[autre]),
        brouillon=SchemaFactory(departement=dep, statut=Schema.Statut.EN_ELABORATION, date_adoption=None),
    )


def url(nom, schema, **query):
    adresse = reverse(f"schema:{nom}", args=[schema.pk])
    return adresse + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def decompresse(pdf: bytes) -> bytes:
    flux = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            flux.append(zlib.decompress(m.group(1)))
    return pdf + b"".join(flux)


def titres_du_sommaire(pdf: bytes) -> list[str]:
    """The PDF outline's titles (WeasyPrint writes one bookmark per heading), literal or UTF-16 hex strings."""
    titres = []
    for litteral, hexa in re.findall(rb"/Title\s*(?:\((.*?)\)|<([0-9A-Fa-f]+)>)", decompresse(pdf)):
        if hexa:
            octets = bytes.fromhex(hexa.decode())
            titres.append(octets[2:].decode("utf-16-be") if octets[:2] == b"\xfe\xff" else octets.decode("latin-1"))
        else:
            titres.append(litteral.decode("latin-1"))
    return titres


def classeur(contenu: bytes):
    return load_workbook(io.BytesIO(contenu))


# --- What the PDF shows ---------------------------------------------------------------------------------------


def test_html_du_pdf_public_sans_commentaire_ni_nom(monde):
    html = sorties.html_pdf(monde.schema, interne=False, jour=datetime.date(2016, 11, 30))
    attendus = ("Schéma directeur de test 2016-2020", "Organiser l’action publique", "Redonner du sens à",
                "Favoriser l’inclusion", "Cabinet de test", "Fédération (test)", "Valider le référentiel",
                "Rencontres du réseau", "Document produit le", "version publique", "1 jalon en retard")  # fmt: skip
    for attendu in attendus:
        assert attendu in html, attendu
    # The same figures and formats as the schéma page (17,5 M€).
    assert "Au 31/12/2015 (figés à l'adoption)" in html and "17,5\xa0M€" in html
    for interdit in (COMMENTAIRE, "Sophie", "Référente", "Claire", "Compte rendu interne"):
        assert interdit not in html, interdit


def test_html_du_pdf_interne_avec_referents_presents_et_commentaires(monde):
    html = sorties.html_pdf(monde.schema, interne=True)
    for attendu in (COMMENTAIRE, "Référents : Sophie Référente", "Présents : ", "Claire Pilote",
                    "Compte rendu interne du comité.", "version interne"):  # fmt: skip
        assert attendu in html, attendu


def test_html_du_pdf_en_requetes_constantes(monde, django_assert_max_num_queries):
    sorties.html_pdf(monde.schema, interne=True)  # warms the caches (diagnostic, content types)
    with django_assert_max_num_queries(60) as avant:
        sorties.html_pdf(monde.schema, interne=True)
    for n in range(3, 18):
        FicheActionFactory(orientation=monde.o21, numero=f"2.1.{n}", pilote=monde.caf)
    with django_assert_max_num_queries(len(avant.captured_queries)):
        sorties.html_pdf(monde.schema, interne=True)


def test_chiffres_figes_absents(monde):
    monde.schema.diagnostic_fige = {}
    tableau = sorties.tableau_chiffres(monde.schema, jour=datetime.date(2016, 11, 30))
    assert not tableau["a_des_chiffres_figes"]
    assert [ligne["fige"] for ligne in tableau["lignes"]] == [None] * len(sorties.CHIFFRES)
    html = sorties.html_pdf(monde.schema, interne=False)
    assert "Les chiffres de l'adoption n'ont pas été figés pour ce schéma." in html


@sans_pango
def test_pdf_public_pour_tous_d_un_schema_adopte(client, monde):
    reponse = client.get(url("export_pdf", monde.schema))
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    assert reponse["Content-Disposition"].endswith('filename="schema-directeur-94-2016-2020.pdf"')
    titres = titres_du_sommaire(reponse.content)
    assert "Axe 1 — Organiser l’action publique" in titres
    assert "Axe 2 — Redonner du sens à l’évaluation" in titres
    assert COMMENTAIRE.encode() not in decompresse(reponse.content)
    travail = Travail.objects.get()
    assert travail.nature == "schema.pdf_publique" and travail.public and travail.demandeur is None


@sans_pango
def test_pdf_interne_pour_le_departement(client, monde):
    client.force_login(monde.partenaire)
    reponse = client.get(url("export_pdf", monde.schema))
    assert reponse.status_code == 200 and reponse.content.startswith(b"%PDF")
    assert reponse["Content-Disposition"].endswith('filename="schema-directeur-94-2016-2020-interne.pdf"')
    travail = Travail.objects.get()
    assert travail.nature == "schema.pdf_interne" and not travail.public and travail.regle == "schema.voir_interne"
    # The public version on request.
    assert client.get(url("export_pdf", monde.schema, version="publique")).status_code == 200
    assert Travail.objects.filter(nature="schema.pdf_publique").count() == 1


def test_pdf_droits(client, monde, settings):
    settings.TASKS = BASE  # the jobs wait for a worker: only the routing and rights are under test
    reponse = client.get(url("export_pdf", monde.brouillon))
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))
    client.force_login(monde.pilote93)
    assert client.get(url("export_pdf", monde.brouillon)).status_code == 403
    # Another département reads the adopted schéma's public version only, even when it asks for the internal one.
    assert client.get(url("export_pdf", monde.schema, version="interne")).status_code == 302
    assert Travail.objects.get().nature == "schema.pdf_publique"
    client.force_login(monde.structure)  # reads the draft as published: its public version, never the internal
    assert client.get(url("export_pdf", monde.brouillon, version="interne")).status_code == 302
    assert Travail.objects.filter(nature="schema.pdf_interne").count() == 0
    client.force_login(monde.partenaire)
    assert client.get(url("export_pdf", monde.brouillon)).status_code == 302
    assert Travail.objects.filter(nature="schema.pdf_interne").count() == 1
    assert client.get(reverse("schema:export_pdf", args=[999999])).status_code == 404


def test_pdf_sans_pango_message_clair(client, monde, monkeypatch):
    def indisponible():
        raise sorties.PDFIndisponible(sorties.MESSAGE_PDF)

    monkeypatch.setattr(sorties, "verifier_pdf", indisponible)
    monkeypatch.setattr(sorties, "pdf_disponible", lambda: False)
    reponse = client.get(url("export_pdf", monde.schema))
    assert reponse.status_code == 503 and "bibliothèques Pango" in reponse.content.decode()
    page = client.get(url("documents", monde.schema)).content.decode()
    assert url("export_pdf", monde.schema) not in page and "indisponible sur ce serveur" in page
    assert not Travail.objects.exists()
    # Missing where the job runs: the job fails with the same readable message.
    monkeypatch.undo()
    monkeypatch.setattr(sorties, "_weasyprint", indisponible)
    page = client.get(url("export_pdf", monde.schema), follow=True).content.decode()
    assert "bibliothèques Pango" in page and "Échec" in page


# --- XLSX ---------------------------------------------------------------------------------------------------


def test_xlsx_une_feuille_par_table_en_francais_sans_formule(client, monde):
    client.force_login(monde.pilote)
    reponse = client.get(url("export_xlsx", monde.schema))
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].endswith('filename="schema-directeur-94-2016-2020.xlsx"')
    wb = classeur(reponse.content)
    assert wb.sheetnames == ["Schéma", "Enjeux", "Directions de progrès", "Axes", "Orientations", "Fiches actions",
                             "Jalons", "Indicateurs", "Valeurs", "Décisions", "Commentaires"]  # fmt: skip
    fiches_ = list(wb["Fiches actions"].iter_rows(values_only=True))
    entetes = fiches_[0]
    assert entetes[:9] == ("Numéro", "Titre", "Axe", "Orientation", "Pilote", "Partenaires", "Référents", "Statut",
                           "Avancement (%)")  # fmt: skip
    par_numero = {ligne[0]: dict(zip(entetes, ligne, strict=True)) for ligne in fiches_[1:]}
    assert set(par_numero) == {"1.1.1", "2.1.1", "2.1.2"}
    premiere = par_numero["1.1.1"]
    # The formula typed as a title is text, neutralised: a spreadsheet shows it, never runs it.
    assert premiere["Titre"] == "'" + FORMULE
    assert all(c.data_type != "f" for feuille in wb.worksheets for rangee in feuille.iter_rows() for c in rangee)
    assert premiere["Référents"] == "Sophie Référente" and premiere["Jalons en retard"] == 1
    assert premiere["Début"] == datetime.datetime(2016, 9, 1)
    assert [c.value for c in wb["Axes"][1]] == ["Numéro", "Axe", "Texte", "Avancement (%)", "Fiches actions"]
    assert [r[0] for r in wb["Axes"].iter_rows(min_row=2, values_only=True)] == [1, 2]
    valeurs = list(wb["Valeurs"].iter_rows(values_only=True))
    assert valeurs[0][:5] == ("Indicateur", "Date", "Valeur", "Source", "Auteur")
    assert valeurs[1][:5] == ("RENCONTRES", datetime.datetime(2016, 12, 31), 4, "Saisi", "Claire Pilote")
    indicateurs = list(wb["Indicateurs"].iter_rows(values_only=True))
    assert indicateurs[1][:2] == ("RENCONTRES", "Rencontres du réseau") and indicateurs[1][8] == 2
    decisions = list(wb["Décisions"].iter_rows(values_only=True))
    assert decisions[1][2:5] == ("Valider le référentiel", "1.1.1", "Fédération (test)")
    commentaires = list(wb["Commentaires"].iter_rows(values_only=True))
    assert commentaires[1][3] == COMMENTAIRE


def test_xlsx_reserve_au_suivi_interne(client, monde):
    reponse = client.get(url("export_xlsx", monde.schema))
    assert reponse.status_code == 302 and reponse.url.startswith(reverse("comptes:connexion"))
    client.force_login(monde.pilote93)
    assert client.get(url("export_xlsx", monde.schema)).status_code == 403
    assert not Travail.objects.exists()
    client.force_login(monde.structure)
    assert client.get(url("export_xlsx", monde.schema)).status_code == 403
    client.force_login(monde.partenaire)
    assert client.get(url("export_xlsx", monde.schema)).status_code == 200


# --- Background work and reuse -----------------------------------------------------------------------------


def test_xlsx_prepare_en_tache_de_fond_avec_suivi(client, monde, settings, monkeypatch):
    settings.TASKS = BASE
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    client.force_login(monde.pilote)
    reponse = client.get(url("export_xlsx", monde.schema))
    travail = Travail.objects.get()
    assert reponse.status_code == 302 and reponse.url == reverse("core:travail", args=[travail.pk])
    page = client.get(reponse.url).content.decode()
    assert "En attente" in page and 'hx-trigger="every 2s"' in page
    assert client.get(url("export_xlsx", monde.schema)).url == reponse.url  # no second job while it waits
    # The job's page follows the workbook's rule: the département's accounts, not the public nor another one.
    client.force_login(monde.partenaire)
    assert client.get(reponse.url).status_code == 200
    client.force_login(monde.pilote93)
    assert client.get(reponse.url).status_code == 403
    client.logout()
    assert client.get(reponse.url).status_code == 403

    from django.core.management import call_command

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    travail.refresh_from_db()
    assert travail.statut == Travail.Statut.TERMINE and travail.total == 6 and travail.fait == 6
    client.force_login(monde.pilote)
    assert "Télécharger schema-directeur-94-2016-2020.xlsx" in client.get(reponse.url).content.decode()
    assert client.get(url("export_xlsx", monde.schema)).status_code == 200


def test_reutilise_tant_que_les_donnees_ne_changent_pas(client, monde):
    client.force_login(monde.pilote)
    adresse = url("export_xlsx", monde.schema)
    premier = client.get(adresse)
    assert client.get(adresse).content == premier.content
    client.force_login(monde.partenaire)
    assert client.get(adresse).status_code == 200
    assert Travail.objects.count() == 1
    # A partner updates its action: a new workbook, which shows it.
    services.fiche_mettre_a_jour(par=monde.partenaire, fiche=monde.fiche, avancement=70, version=monde.fiche.version)
    reponse = client.get(adresse)
    assert Travail.objects.count() == 2
    lignes = {r[0]: r for r in classeur(reponse.content)["Fiches actions"].iter_rows(values_only=True)}
    assert lignes["1.1.1"][8] == 70
    # A typed value of an indicator changed, a comment alone: new again.
    valeur = Indicateur.objects.get(code="RENCONTRES").valeurs.get()
    valeur.valeur = Decimal(5)
    valeur.save()
    client.get(adresse)
    assert Travail.objects.count() == 3
    CommentaireAction.objects.create(fiche=monde.fiche, texte="Un autre commentaire")
    client.get(adresse)
    assert Travail.objects.count() == 4
    assert client.get(adresse).status_code == 200 and Travail.objects.count() == 4


def test_empreinte_change_avec_le_jour(monde):
    jour = datetime.date(2016, 11, 30)
    assert sorties.empreinte_donnees(monde.schema, jour=jour) == sorties.empreinte_donnees(monde.schema, jour=jour)
    assert sorties.empreinte_donnees(monde.schema, jour=jour) != sorties.empreinte_donnees(
        monde.schema, jour=jour + datetime.timedelta(days=1)
    )
