"""In a browser, on a 375 px phone: a partner downloads its schéma's fiches, deposits the edited file, reads the
preview of its change and confirms it; the page never gets wider than the screen and axe finds no serious or
critical violation."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.test import Client

from maillage.comptes.models import Role
from maillage.schema import echanges
from maillage.schema.models import FicheAction
from tests.comptes.factories import OrganisationFactory, UtilisateurFactory
from tests.e2e import conftest as e2e
from tests.e2e.test_accessibilite import violations_graves
from tests.schema.factories import FicheActionFactory, JalonFactory, SchemaFactory
from tests.territoires.factories import DepartementFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_partenaire_met_a_jour_sa_fiche_au_telephone(ouvrir, live_server, tmp_path):
    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    caf = OrganisationFactory(nom="Caf du Val-de-Marne", type="caf", departement=dep)
    schema = SchemaFactory(departement=dep, titre="Schéma directeur de l'animation de la vie sociale 2016-2020")
    fiche = FicheActionFactory(
        orientation__axe__schema=schema,
        numero="1.1.1",
        titre="Repérer les territoires sans structure et accompagner les porteurs de projet d'EVS",
        pilote=caf,
        avancement=40,
    )
    JalonFactory(fiche=fiche, libelle="Cahier des charges du repérage", echeance=datetime.date(2016, 10, 1))
    FicheActionFactory(orientation__axe__schema=schema, numero="1.1.2", avancement=80)
    partenaire = UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep], organisation=caf)
    client = Client()
    client.force_login(partenaire)

    rangees = list(csv.reader(io.StringIO(echanges.exporter(schema, "csv").decode("utf-8-sig")), delimiter=";"))
    rangees[1][rangees[0].index("Avancement (%)")] = "65"
    rangees[1][rangees[0].index("Commentaire")] = "Trois communes repérées, deux porteurs rencontrés."
    fichier = tmp_path / "fiches.csv"
    with open(fichier, "w", newline="", encoding="utf-8") as sortie:
        csv.writer(sortie, delimiter=";").writerows(rangees)

    onglet = ouvrir(viewport=e2e.TELEPHONE, bypass_csp=True)
    page = onglet.page
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip

    def verifier_la_page():
        assert page.evaluate("document.documentElement.scrollWidth") <= e2e.TELEPHONE["width"]
        assert violations_graves(page) == []

    onglet.aller(f"/schemas/{schema.pk}/mise-a-jour/")
    assert page.get_by_role("heading", name="Mise à jour en masse des fiches actions").is_visible()
    verifier_la_page()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(fichier))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_selector("#titre-apercu")
    assert "40 %" in page.content() and "65 %" in page.content()
    verifier_la_page()
    page.get_by_role("button", name="Enregistrer ces 2 changements").click()
    page.wait_for_selector(".message--success")
    verifier_la_page()
    assert FicheAction.objects.get(pk=fiche.pk).avancement == 65
    assert onglet.erreurs == []
