"""Bulk update of a schéma's fiches actions: export (CSV, XLSX, formula-safe), import with a preview of every
change, confirmation in one transaction, refusals with line and column, permissions per row, hostile files."""

import csv
import datetime
import html
import io
import re

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from maillage.comptes.models import Role
from maillage.core.imports import ImportRefuse
from maillage.schema import echanges, services
from maillage.schema.models import CommentaireAction, FicheAction, Jalon
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.schema.factories import (
    AxeFactory,
    FicheActionFactory,
    JalonFactory,
    OrientationFactory,
    SchemaFactory,
)
from tests.territoires.factories import DepartementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jour(settings):
    settings.MAILLAGE_AUJOURDHUI = datetime.date(2016, 11, 15)


@pytest.fixture
def jeu():
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    caf = OrganisationFactory(nom="Caf du Val-de-Marne", type="caf", departement=dep)
    cd = OrganisationFactory(nom="Conseil départemental", type="conseil_departemental", departement=dep)
    schema = SchemaFactory(departement=dep, titre="SDAVS 2016-2020")
    axe = AxeFactory(schema=schema, numero=1, titre="Développer")
    o1 = OrientationFactory(axe=axe, numero=1, titre="Ouvrir des EVS")
    o2 = OrientationFactory(axe=axe, numero=2, titre="Former")
    f1 = FicheActionFactory(orientation=o1, numero="1.1.1", titre="Repérer", pilote=caf, avancement=40)
    f2 = FicheActionFactory(orientation=o1, numero="1.1.2", titre="Accompagner", pilote=cd, avancement=80)
    f3 = FicheActionFactory(orientation=o2, numero="1.2.1", titre="Former", avancement=10)
    jalon = JalonFactory(fiche=f1, libelle="Cahier des charges", echeance=datetime.date(2016, 10, 1))
    return {
        "dep": dep,
        "caf": caf,
        "cd": cd,
        "schema": schema,
        "f1": f1,
        "f2": f2,
        "f3": f3,
        "jalon": jalon,
        "pilote": UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        "partenaire_caf": UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep], organisation=caf),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(jeu, nom="mise_a_jour"):
    return (
        f"/schemas/{jeu['schema'].pk}/"
        + {
            "mise_a_jour": "mise-a-jour/",
            "export": "mise-a-jour/export/",
            "confirmer": "mise-a-jour/confirmer/",
        }[nom]
    )


def _export_csv(client, jeu) -> list[list[str]]:
    reponse = client.get(_url(jeu, "export"), {"format": "csv"})
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))


def _csv(rangees) -> bytes:
    tampon = io.StringIO()
    csv.writer(tampon, delimiter=";").writerows(rangees)
    return tampon.getvalue().encode("utf-8")


def _modifier(rangees, numero, **valeurs) -> list[list[str]]:
    entetes = rangees[0]
    for rangee in rangees[1:]:
        if rangee[entetes.index("Numéro")] == numero:
            for colonne, valeur in valeurs.items():
                rangee[entetes.index(colonne)] = valeur
    return rangees


def _deposer(client, jeu, contenu: bytes, nom="fiches.csv"):
    return client.post(_url(jeu), {"fichier": SimpleUploadedFile(nom, contenu)})


def _confirmer(client, jeu, apercu, nom="fiches.csv"):
    return client.post(
        _url(jeu, "confirmer"),
        {"empreinte": apercu.empreinte, "empreinte_plan": apercu.empreinte_plan, "nom_fichier": nom},
    )


def _etat(jeu) -> list:
    """Everything the import could write."""
    fiches = list(
        FicheAction.objects.filter(schema=jeu["schema"]).order_by("pk").values_list("statut", "avancement", "version")
    )
    jalons = list(Jalon.objects.filter(fiche__schema=jeu["schema"]).order_by("pk").values_list("fait", "fait_le"))
    return [fiches, jalons, CommentaireAction.objects.count(), LogEntry.objects.count()]


def _erreurs(reponse) -> list[tuple]:
    assert reponse.status_code == 400
    refus = reponse.context["refus"]
    return [(e["ligne"], e["champ"], e["raison"]) for e in refus.erreurs]


# --- Export -----------------------------------------------------------------------------------------------


def test_export_csv_colonnes_et_valeurs(jeu):
    rangees = _export_csv(_client(jeu["pilote"]), jeu)
    assert rangees[0] == [
        "Numéro", "Titre", "Axe", "Orientation", "Pilote", "Statut", "Avancement (%)", "Jalons", "Commentaire",
        "Version", "Identifiant",
    ]  # fmt: skip
    assert rangees[1] == [
        "1.1.1",
        "Repérer",
        "1. Développer",
        "1.1. Ouvrir des EVS",
        "Caf du Val-de-Marne",
        "En cours",
        "40",
        f"J{jeu['jalon'].pk} : à faire — Cahier des charges (échéance 01/10/2016)",
        "",
        "1",
        str(jeu["f1"].pk),
    ]
    assert [r[0] for r in rangees[1:]] == ["1.1.1", "1.1.2", "1.2.1"]


def test_export_xlsx_lisible_avec_mode_d_emploi(jeu):
    reponse = _client(jeu["pilote"]).get(_url(jeu, "export"), {"format": "xlsx"})
    assert reponse.status_code == 200
    assert "attachment" in reponse["Content-Disposition"]
    classeur = load_workbook(io.BytesIO(reponse.content))
    assert classeur.sheetnames == ["Fiches actions", "Mode d'emploi"]
    feuille = classeur["Fiches actions"]
    assert [c.value for c in feuille[2]][:7] == [
        "1.1.1", "Repérer", "1. Développer", "1.1. Ouvrir des EVS", "Caf du Val-de-Marne", "En cours", 40,
    ]  # fmt: skip


def test_export_neutralise_les_formules(jeu):
    FicheAction.objects.filter(pk=jeu["f1"].pk).update(titre='=HYPERLINK("http://pirate","clic")')
    Jalon.objects.filter(pk=jeu["jalon"].pk).update(libelle="@SUM(1+1)")
    client = _client(jeu["pilote"])
    rangees = _export_csv(client, jeu)
    assert rangees[1][1] == '\'=HYPERLINK("http://pirate","clic")'
    classeur = load_workbook(io.BytesIO(client.get(_url(jeu, "export"), {"format": "xlsx"}).content))
    titre = classeur["Fiches actions"]["B2"]
    assert titre.data_type == "s" and titre.value.startswith("'=")
    for rangee in classeur["Fiches actions"].iter_rows():
        for cellule in rangee:
            assert cellule.data_type != "f"


def test_export_format_inconnu_400(jeu):
    reponse = _client(jeu["pilote"]).get(_url(jeu, "export"), {"format": "pdf"})
    assert reponse.status_code == 400
    assert "Format inconnu" in reponse.content.decode()


def test_droits_de_la_page_et_de_l_export(jeu):
    autre = DepartementFactory(code="93", nom="Seine-Saint-Denis")
    for url in (_url(jeu), _url(jeu, "export") + "?format=csv"):
        reponse = Client().get(url)
        assert reponse.status_code == 302 and "?next=" in reponse["Location"]
        assert _client(UtilisateurFactory(role=Role.PILOTE, departements=[autre])).get(url).status_code == 403
    assert Client().post(_url(jeu, "confirmer")).status_code == 302
    assert Client().get("/schemas/999999/mise-a-jour/").status_code in (302, 404)
    assert _client(jeu["pilote"]).get("/schemas/999999/mise-a-jour/").status_code == 404


def test_page_accessible_avec_onglets_et_format_documente(jeu, django_assert_max_num_queries):
    client = _client(jeu["partenaire_caf"])
    reponse = client.get(_url(jeu))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert 'class="onglets"' in page
    assert "J12 : fait" in page and "Vérifier le fichier" in page
    assert "Vous pouvez mettre à jour 1 fiche action" in page
    # More fiches, not more queries.
    with django_assert_max_num_queries(30) as requetes:
        client.get(_url(jeu))
    avant = len(requetes.captured_queries)
    orientation = jeu["f1"].orientation
    for i in range(30):
        JalonFactory(fiche=FicheActionFactory(orientation=orientation, numero=f"9.{i}", pilote=jeu["caf"]))
    with django_assert_max_num_queries(avant):
        assert "31 fiches actions" in client.get(_url(jeu)).content.decode()


def test_structure_ni_export_ni_import(jeu):
    """A structure account reads the schéma as published: the follow-up file is not for it."""
    rangees = _export_csv(_client(jeu["pilote"]), jeu)
    structure = UtilisateurFactory(role=Role.STRUCTURE, departements=[jeu["dep"]])
    client = _client(structure)
    assert client.get(_url(jeu)).status_code == 403
    assert client.get(_url(jeu, "export"), {"format": "csv"}).status_code == 403
    avant = _etat(jeu)
    assert _deposer(client, jeu, _csv(_modifier(rangees, "1.1.3", Statut="Réalisée"))).status_code == 403
    assert client.post(_url(jeu, "confirmer"), {"empreinte": "0" * 64, "empreinte_plan": "0" * 64}).status_code == 403
    assert _etat(jeu) == avant


# --- Round trip -------------------------------------------------------------------------------------------


def test_aller_retour_csv_apercu_puis_confirmation(jeu):
    client = _client(jeu["pilote"])
    rangees = _export_csv(client, jeu)
    jalon = jeu["jalon"]
    _modifier(
        rangees,
        "1.1.1",
        **{"Avancement (%)": "60", "Jalons": f"J{jalon.pk} : fait — Cahier des charges", "Commentaire": "Bon élan"},
    )
    _modifier(rangees, "1.1.2", Statut="Réalisée")  # progress left at 80: « réalisée » means 100 %
    avant = _etat(jeu)
    reponse = _deposer(client, jeu, _csv(rangees))
    assert reponse.status_code == 200
    apercu = reponse.context["apercu"]
    assert [(c.champ, c.avant, c.apres) for c in apercu.modifiees[0].changements] == [
        ("Avancement", "40 %", "60 %"),
        (f"Jalon J{jalon.pk} « Cahier des charges »", "à faire", "fait"),
        ("Commentaire ajouté", "", "Bon élan"),
    ]
    assert [(c.champ, c.avant, c.apres) for c in apercu.modifiees[1].changements] == [
        ("Statut", "En cours", "Réalisée"),
        ("Avancement", "80 %", "100 %"),
    ]
    assert apercu.inchangees == 1
    page = reponse.content.decode()
    assert "40 %" in page and "Bon élan" in page and "Enregistrer ces 5 changements" in page
    # The preview wrote nothing.
    assert _etat(jeu) == avant

    reponse = _confirmer(client, jeu, apercu)
    assert reponse.status_code == 302
    f1, f2 = FicheAction.objects.get(pk=jeu["f1"].pk), FicheAction.objects.get(pk=jeu["f2"].pk)
    assert (f1.avancement, f1.version, f2.statut, f2.avancement, f2.version) == (60, 2, "realisee", 100, 2)
    jalon.refresh_from_db()
    assert (jalon.fait, jalon.fait_le) == (True, datetime.date(2016, 11, 15))
    assert CommentaireAction.objects.get(fiche=f1).texte == "Bon élan"
    assert CommentaireAction.objects.get(fiche=f2).texte == "Mise à jour en masse (fichier « fiches.csv »)."
    # Each change audited, with its author.
    entrees = LogEntry.objects.filter(actor=jeu["pilote"])
    assert {(e.content_type.model, e.object_pk) for e in entrees} >= {
        ("ficheaction", str(f1.pk)),
        ("ficheaction", str(f2.pk)),
        ("jalon", str(jalon.pk)),
    }
    suivante = client.get(_url(jeu))
    assert "2 fiches actions modifiées (5 changements), 1 ligne sans changement" in suivante.content.decode()
    # The same file again: its versions are now stale and the file is gone.
    assert _confirmer(client, jeu, apercu).status_code == 302
    assert _etat(jeu)[0] == [("en_cours", 60, 2), ("realisee", 100, 2), ("en_cours", 10, 1)]


def test_aller_retour_xlsx(jeu):
    client = _client(jeu["pilote"])
    classeur = load_workbook(io.BytesIO(client.get(_url(jeu, "export"), {"format": "xlsx"}).content))
    feuille = classeur["Fiches actions"]
    feuille["F4"] = "reportee"  # a code is read as well as a label
    feuille["G4"] = 15.4
    tampon = io.BytesIO()
    classeur.save(tampon)
    reponse = _deposer(client, jeu, tampon.getvalue(), "fiches.xlsx")
    apercu = reponse.context["apercu"]
    assert apercu.format == "XLSX"
    assert [(c.champ, c.avant, c.apres) for c in apercu.modifiees[0].changements] == [
        ("Statut", "En cours", "Reportée"),
        ("Avancement", "10 %", "15 %"),
    ]
    assert _confirmer(client, jeu, apercu, "fiches.xlsx").status_code == 302
    assert FicheAction.objects.filter(pk=jeu["f3"].pk, statut="reportee", avancement=15).exists()


def test_apercu_en_requetes_constantes(jeu, django_assert_max_num_queries):
    client = _client(jeu["pilote"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def tout_avancer():
        rangees = _export_csv(client, jeu)
        colonne = rangees[0].index("Avancement (%)")
        for rangee in rangees[1:]:
            rangee[colonne] = "99"
        return _csv(rangees)

    contenu = tout_avancer()
    with CaptureQueriesContext(connection) as petit:
        assert len(_deposer(client, jeu, contenu).context["apercu"].modifiees) == 3
    requetes = len(petit)  # now: the next request empties the log the count is read from
    orientation = jeu["f1"].orientation
    for i in range(40):
        JalonFactory(fiche=FicheActionFactory(orientation=orientation, numero=f"9.{i}", pilote=jeu["caf"]))
    contenu = tout_avancer()
    with django_assert_max_num_queries(requetes):
        assert len(_deposer(client, jeu, contenu).context["apercu"].modifiees) == 43


def test_fichier_sans_changement(jeu):
    client = _client(jeu["pilote"])
    avant = _etat(jeu)
    reponse = _deposer(client, jeu, _csv(_export_csv(client, jeu)))
    assert reponse.status_code == 200
    assert "ne change aucune fiche" in reponse.content.decode()
    assert _etat(jeu) == avant


def test_colonnes_minimales(jeu):
    """A file with only Numéro, Avancement and Version: the other fields stay as they are."""
    contenu = _csv([["Numéro", "Avancement", "Version"], ["1.2.1", "35 %", "1"]])
    apercu = echanges.analyser(par=jeu["pilote"], schema=jeu["schema"], contenu=contenu)
    assert [(m.numero, m.avancement, m.statut) for m in apercu.modifiees] == [("1.2.1", 35, None)]


# --- Refusals: line, column, reason; nothing written ------------------------------------------------------


def _refuse(jeu, rangees, user=None):
    client = _client(user or jeu["pilote"])
    avant = _etat(jeu)
    erreurs = _erreurs(_deposer(client, jeu, _csv(rangees)))
    assert _etat(jeu) == avant
    return erreurs


def test_refus_statut_avancement_et_jalons(jeu):
    rangees = _export_csv(_client(jeu["pilote"]), jeu)
    _modifier(rangees, "1.1.1", Statut="Terminée", Jalons="J999999 : fait | J5 fini")
    _modifier(rangees, "1.1.2", **{"Avancement (%)": "120"})
    _modifier(rangees, "1.2.1", Statut="Réalisée", **{"Avancement (%)": "50"})
    erreurs = _refuse(jeu, rangees)
    assert [(ligne, colonne) for ligne, colonne, _ in erreurs] == [
        (2, "Statut"),
        (2, "Jalons"),
        (2, "Jalons"),
        (3, "Avancement (%)"),
        (4, "Avancement (%)"),
    ]
    raisons = [r for *_, r in erreurs]
    assert raisons[0].startswith("statut inconnu « Terminée » : À lancer, En cours")
    assert "J999999 n'est pas un jalon de la fiche 1.1.1" in raisons[1]
    assert "jalon illisible « J5 fini »" in raisons[2]
    assert raisons[3] == "l'avancement est un pourcentage entre 0 et 100."
    assert raisons[4] == "une action réalisée est avancée à 100 %."


def test_refus_fiches_inconnues_d_un_autre_schema_et_doublons(jeu):
    ailleurs = FicheActionFactory(orientation__axe__schema=SchemaFactory(departement=jeu["dep"]), numero="7.7")
    rangees = _export_csv(_client(jeu["pilote"]), jeu)
    entetes = rangees[0]
    ligne = rangees[1][:]
    rangees.append(ligne)  # duplicated row (line 5)
    inconnue = ["9.9.9"] + [""] * (len(entetes) - 1)
    inconnue[entetes.index("Version")] = "1"
    rangees.append(inconnue)  # line 6
    etrangere = rangees[3][:]
    etrangere[0], etrangere[entetes.index("Identifiant")] = "", str(ailleurs.pk)
    rangees.append(etrangere)  # line 7
    decalee = rangees[3][:]
    decalee[0] = "1.1.1"  # the number of another fiche than its id's: a shifted row
    rangees[3] = decalee
    erreurs = _refuse(jeu, rangees)
    assert erreurs == [
        (
            4,
            "Numéro",
            f"le numéro « 1.1.1 » ne correspond pas à la fiche d'identifiant {jeu['f3'].pk} (numéro 1.2.1) : une "
            "ligne décalée ?",
        ),
        (5, "Numéro", "la fiche 1.1.1 est déjà sur la ligne 2 : une ligne par fiche."),
        (6, "Numéro", "numéro inconnu dans ce schéma : « 9.9.9 »."),
        (7, "Identifiant", f"la fiche d'identifiant {ailleurs.pk} n'est pas une fiche de ce schéma."),
    ]


def test_refus_version_perimee_conflit(jeu):
    client = _client(jeu["pilote"])
    rangees = _export_csv(client, jeu)
    # Someone updates the fiche after the export.
    services.fiche_mettre_a_jour(par=jeu["partenaire_caf"], fiche=jeu["f1"], avancement=55, version=1)
    _modifier(rangees, "1.1.1", **{"Avancement (%)": "70"})
    erreurs = _refuse(jeu, rangees)
    assert len(erreurs) == 1
    ligne, colonne, raison = erreurs[0]
    assert (ligne, colonne) == (2, "Version")
    assert raison.startswith("la fiche 1.1.1 a été modifiée depuis votre export (version 1 dans le fichier, 2 ")
    assert "Avancement (%) « 40 » → « 55 »" in raison
    # A stale row that changes nothing is ignored: the rest of the file goes through.
    rangees = _export_csv(client, jeu)
    _modifier(rangees, "1.1.1", Version="1", **{"Avancement (%)": "55"})
    _modifier(rangees, "1.2.1", Statut="Abandonnée")
    reponse = _deposer(client, jeu, _csv(rangees))
    assert [m.numero for m in reponse.context["apercu"].modifiees] == ["1.2.1"]


def test_refus_version_absente_ou_invalide(jeu):
    rangees = _export_csv(_client(jeu["pilote"]), jeu)
    _modifier(rangees, "1.1.1", Version="", Statut="Reportée")
    _modifier(rangees, "1.1.2", Version="deux", Statut="Reportée")
    _modifier(rangees, "1.2.1", Version="7", Statut="Reportée")
    erreurs = _refuse(jeu, rangees)
    assert [(ligne, colonne) for ligne, colonne, _ in erreurs] == [(2, "Version"), (3, "Version"), (4, "Version")]
    assert "version 7 inconnue" in erreurs[2][2]
    sans_version = [["Numéro", "Statut"], ["1.1.1", "Reportée"]]
    assert _refuse(jeu, sans_version)[0][:2] == (1, "")
    assert "colonne « Version » absente" in _refuse(jeu, sans_version)[0][2]


def test_partenaire_importe_ses_seules_fiches(jeu):
    partenaire = jeu["partenaire_caf"]
    client = _client(partenaire)
    rangees = _export_csv(client, jeu)
    _modifier(rangees, "1.1.1", **{"Avancement (%)": "75"})  # its own fiche
    _modifier(rangees, "1.1.2", **{"Avancement (%)": "10"})  # the Conseil départemental's
    erreurs = _refuse(jeu, rangees, partenaire)
    assert erreurs == [
        (
            3,
            "Numéro",
            "vous ne pouvez pas mettre à jour la fiche 1.1.2 (pilotée par Conseil départemental) : seuls son "
            "organisation pilote, ses référents et le pilote du schéma le peuvent. Retirez la ligne ou rétablissez "
            "ses valeurs.",
        )
    ]
    # Its own fiche only: the rows of the others, unchanged, are ignored.
    rangees = _export_csv(client, jeu)
    _modifier(rangees, "1.1.1", **{"Avancement (%)": "75"})
    reponse = _deposer(client, jeu, _csv(rangees))
    assert reponse.status_code == 200
    assert _confirmer(client, jeu, reponse.context["apercu"]).status_code == 302
    assert _etat(jeu)[0] == [("en_cours", 75, 2), ("en_cours", 80, 1), ("en_cours", 10, 1)]
    assert LogEntry.objects.filter(actor=partenaire, object_pk=str(jeu["f1"].pk)).exists()


def test_confirmation_refusee_si_les_fiches_ont_change_depuis_l_apercu(jeu):
    client = _client(jeu["pilote"])
    rangees = _modifier(_export_csv(client, jeu), "1.1.1", **{"Avancement (%)": "70"})
    _modifier(rangees, "1.2.1", Statut="Reportée")
    apercu = _deposer(client, jeu, _csv(rangees)).context["apercu"]
    # Between preview and confirmation, someone changes the second fiche.
    services.fiche_mettre_a_jour(par=jeu["pilote"], fiche=jeu["f3"], statut="abandonnee", version=1)
    avant = _etat(jeu)
    erreurs = _erreurs(_confirmer(client, jeu, apercu))
    assert erreurs[0][:2] == (4, "Version")
    assert _etat(jeu) == avant  # not even the first fiche


def test_confirmation_refusee_si_le_plan_differe(jeu):
    client = _client(jeu["pilote"])
    rangees = _modifier(_export_csv(client, jeu), "1.1.1", Jalons=f"J{jeu['jalon'].pk} : fait")
    apercu = _deposer(client, jeu, _csv(rangees)).context["apercu"]
    # A milestone ticked elsewhere meanwhile: the file no longer changes what was previewed.
    Jalon.objects.filter(pk=jeu["jalon"].pk).update(fait=True, fait_le=datetime.date(2016, 11, 1))
    avant = _etat(jeu)
    reponse = _confirmer(client, jeu, apercu)
    assert reponse.status_code == 400
    assert "ont changé depuis l'aperçu" in reponse.context["refus"].message
    assert _etat(jeu) == avant


def test_confirmation_d_un_autre_compte_ou_falsifiee(jeu):
    client = _client(jeu["pilote"])
    apercu = _deposer(client, jeu, _csv(_modifier(_export_csv(client, jeu), "1.2.1", Statut="Reportée"))).context[
        "apercu"
    ]
    autre = _client(UtilisateurFactory(role=Role.PILOTE, departements=[jeu["dep"]]))
    avant = _etat(jeu)
    # The stored file is the depositor's: another account finds nothing to confirm.
    reponse = _confirmer(autre, jeu, apercu)
    assert reponse.status_code == 302
    assert client.post(_url(jeu, "confirmer"), {"empreinte": "../../x", "empreinte_plan": "y"}).status_code == 400
    assert _etat(jeu) == avant


# --- Hostile files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contenu,attendu",
    [
        (b"", "Le fichier envoyé est vide"),
        (b"PK\x03\x04pas un classeur", "classeur XLSX illisible"),
        (b"\x00\x01\x02\x03", "octets nuls"),
        (b"Titre;Pilote\nA;B\n", "aucune ligne d'en-têtes"),
        (b"Num\xe9ro;Version\n", "aucune ligne de fiche"),
    ],
)
def test_fichiers_illisibles_refuses_proprement(jeu, contenu, attendu):
    client = _client(jeu["pilote"])
    avant = _etat(jeu)
    reponse = _deposer(client, jeu, contenu)
    assert reponse.status_code == 400
    assert attendu in html.unescape(reponse.content.decode())
    assert _etat(jeu) == avant


def test_fichier_trop_gros_refuse(jeu):
    contenu = b"Num\xc3\xa9ro;Version\n" + b"1.1.1;1\n" * 700_000
    assert len(contenu) > echanges.TAILLE_MAX
    reponse = _deposer(_client(jeu["pilote"]), jeu, contenu)
    assert reponse.status_code == 400
    assert "Fichier trop volumineux" in reponse.content.decode()
    with pytest.raises(ImportRefuse, match="trop volumineux"):
        echanges.analyser(par=jeu["pilote"], schema=jeu["schema"], contenu=contenu)


def test_classeur_demesure_refuse(jeu):
    """Many rows under a valid header: refused at the row limit, nothing read further."""
    livre = Workbook()
    feuille = livre.active
    feuille.append(["Numéro", "Version"])
    for i in range(echanges.LIGNES_MAX + 5):
        feuille.append([f"{i}", 1])
    tampon = io.BytesIO()
    livre.save(tampon)
    with pytest.raises(ImportRefuse) as refus:
        echanges.analyser(par=jeu["pilote"], schema=jeu["schema"], contenu=tampon.getvalue())
    assert "trop de lignes" in refus.value.message


def test_jalons_format_tolere(jeu):
    jalon = jeu["jalon"]
    for cellule in (f"J{jalon.pk}: FAIT", f"  j {jalon.pk} : fait - libellé changé", f"J{jalon.pk} : oui\n\n"):
        contenu = _csv([["Numéro", "Jalons", "Version"], ["1.1.1", cellule, "1"]])
        apercu = echanges.analyser(par=jeu["pilote"], schema=jeu["schema"], contenu=contenu)
        assert apercu.modifiees[0].jalons_faits == {jalon.pk: True}, cellule
    contenu = _csv([["Numéro", "Jalons", "Version"], ["1.1.1", f"J{jalon.pk} : fait\nJ{jalon.pk} : à faire", "1"]])
    with pytest.raises(ImportRefuse) as refus:
        echanges.analyser(par=jeu["pilote"], schema=jeu["schema"], contenu=contenu)
    assert re.search(r"J\d+ est écrit deux fois", refus.value.erreurs[0]["raison"])


@settings(
    max_examples=30,
    deadline=4000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_classeur_abime_refuse_ou_lu_jamais_d_erreur(jeu, data):
    """Truncated or altered bytes of a real export: read, or refused with its reasons; never another exception."""
    if "export" not in jeu:
        jeu["export"] = echanges.exporter(jeu["schema"], "xlsx")
    contenu = jeu["export"]
    n = data.draw(st.integers(0, len(contenu) - 1))
    octet = data.draw(st.integers(0, 255))
    abime = data.draw(st.sampled_from([contenu[:n], contenu[:n] + bytes([octet]) + contenu[n + 1 :]]))
    avant = _etat(jeu)
    try:
        echanges.analyser(par=jeu["pilote"], schema=jeu["schema"], contenu=abime)
    except ImportRefuse as refus:
        assert refus.erreurs and all(e["raison"] for e in refus.erreurs)
    assert _etat(jeu) == avant
