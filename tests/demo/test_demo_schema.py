"""The demo's schéma directeur (charger_demo): the SDAVS of the Val-de-Marne 2016-2020 with the founding document's
enjeux, directions de progrès and axes in its own words, ~25 fictional fiches actions, the COPIL of 2016 with its
decisions, and computed indicators whose baselines at 31/12/2015 are the seed's figures, read from the demo data.

Loaded once for the module on the real territories of département 94, then the tables are flushed (like
tests/demo/test_observatoire.py)."""

import datetime
import re
import unicodedata
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from maillage.comptes.models import Organisation, Utilisateur
from maillage.demo import schema as demo
from maillage.schema import services, sorties
from maillage.schema.models import Decision, FicheAction, Indicateur, Instance, Schema
from tests.bareme import remettre_bareme_initial

# The founding document (shared/seed beside the repository, where present) and its passage quoted verbatim.
GRAINES = [
    Path(settings.BASE_DIR).parent / "shared" / "seed" / "000_1fa9e60065ee4c3e.txt",
    Path(settings.BASE_DIR).parent.parent / "shared" / "seed" / "000_1fa9e60065ee4c3e.txt",
]
EXTRAIT = """4 enjeux soulignés par le cabinet TMO Régions :
– promouvoir et soutenir les espaces de dialogue et de rencontre, réaffirmer les valeurs républicaines.
– Faciliter l’accès aux droits en renforçant les dispositifs d’accompagnement : développer les permanences au sein des centres sociaux, promouvoir les démarches d' »aller vers ».
– Favoriser l’éducation, soutenir la fonction parentale
– Favoriser l’inclusion, lutter contre l’isolement

4 directions de progrès :
le maillage territorial, la présence des acteurs sur les territoires, la participation des habitants, la gouvernance et l’animation partenariale.

Les orientations s’articulent autour de 4 grands axes :
1. Organiser l’action publique, promouvoir des modes de coopération plus stratégiques ;
2. Redonner du sens à l’évaluation, repenser les démarches dans une logique plus collaborative et plus opérationnelle ;
3. Favoriser le développement de l’animation de la vie sociale sur les territoires prioritaires, sécuriser les gestionnaires ;
4. Mettre en commun les expertises, animer le réseau départemental autour des grands enjeux de l’animation de la vie sociale."""  # noqa: E501 (verbatim)
REFERENCE = datetime.date(2015, 12, 31)


def mots(texte: str) -> str:
    """Words only: case, accents kept, punctuation, quotes and apostrophes (’ or ') as spaces."""
    texte = unicodedata.normalize("NFC", texte).casefold()
    return " ".join(re.findall(r"\w+", texte))


@pytest.fixture(scope="module")
def sortie_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        remettre_bareme_initial()
        sortie = StringIO()
        with override_settings(DEBUG=True, MAILLAGE_DEMO=True):
            call_command("charger_demo", stdout=sortie, stderr=StringIO())
        yield sortie.getvalue()
        call_command("flush", interactive=False, verbosity=0)
        remettre_bareme_initial()


@pytest.fixture
def schema(sortie_demo, db):
    return Schema.objects.select_related("departement").get(departement_id="94", debut=2016)


def test_schema_2016_2020_en_cours_signe_par_les_quatre_partenaires(schema, sortie_demo):
    assert (schema.titre, schema.fin, schema.statut) == (demo.TITRE, 2020, Schema.Statut.EN_COURS)
    assert schema.date_adoption < datetime.date(2016, 9, 29) and schema.realise_par == "Cabinet TMO Régions"
    assert {o.type for o in schema.signataires.all()} == {
        Organisation.Type.CAF,
        Organisation.Type.PREFECTURE,
        Organisation.Type.CONSEIL_DEPARTEMENTAL,
        Organisation.Type.FEDERATION,
    }
    assert [t.vers for t in schema.transitions.order_by("date")] == ["en_elaboration", "adopte", "en_cours"]
    assert "26 fiches actions FICTIVES" in sortie_demo
    # Frozen at adoption: the registry at 31/12/2015, computed.
    fige = schema.diagnostic_fige
    assert fige["date"] == "2015-12-31" and fige["chiffres"]["structures"] == 47


def test_enjeux_directions_et_axes_dans_les_mots_du_document_fondateur(schema):
    textes = [EXTRAIT] + [g.read_text(encoding="utf-8") for g in GRAINES if g.exists()]
    titres = [
        *schema.enjeux.values_list("titre", flat=True),
        *schema.directions.values_list("titre", flat=True),
        *schema.axes.values_list("titre", flat=True),
    ]
    assert len(titres) == 12
    for texte in textes:
        for titre in titres:
            assert mots(titre) in mots(texte), titre
    assert list(schema.enjeux.values_list("titre", flat=True)) == demo.ENJEUX
    assert list(schema.directions.values_list("titre", flat=True)) == demo.DIRECTIONS
    assert list(schema.axes.order_by("numero").values_list("titre", flat=True)) == demo.AXES
    assert schema.axes.get(numero=3).titre.startswith("Favoriser le développement de l’animation de la vie sociale")


def test_environ_25_fiches_fictives_pilotees_par_les_partenaires(schema):
    fiches = FicheAction.objects.filter(schema=schema).select_related("pilote")
    assert 22 <= fiches.count() <= 30 and all(f.fictive for f in fiches)
    assert all(f.pilote is not None for f in fiches)
    for axe in schema.axes.all():
        assert 2 <= axe.orientations.count() <= 3
    partenaire = Utilisateur.objects.get(email=demo.PARTENAIRE)
    pilotees = [f for f in fiches if f.pilote_id == partenaire.organisation_id]
    assert len(pilotees) >= 3
    conseiller = Utilisateur.objects.get(email=demo.CONSEILLER)
    assert 1 <= conseiller.fiches_action_suivies.count() <= 2
    assert {f.statut for f in fiches} >= {"a_lancer", "en_cours", "realisee"}
    # The partner keeps its action current, and is refused on the Caf's.
    fiche = pilotees[0]
    services.fiche_mettre_a_jour(par=partenaire, fiche=fiche, avancement=fiche.avancement + 5, version=fiche.version)
    caf = fiches.get(numero="1.2.3")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.fiche_mettre_a_jour(par=partenaire, fiche=caf, avancement=50, version=caf.version)


def test_copil_2016_avec_decisions_liees_aux_fiches(schema):
    copil = Instance.objects.get(schema=schema, type=Instance.Type.COPIL)
    reunion = copil.reunions.get()
    assert reunion.date.year == 2016 and reunion.date.month >= 9
    assert reunion.organisations_presentes.count() == 4 and reunion.presents.exists()
    assert reunion.avancements_figes["axes"].keys() == {"1", "2", "3", "4"}
    decisions = Decision.objects.filter(reunion=reunion)
    assert 3 <= decisions.count() <= 4
    assert all(d.fiches.exists() for d in decisions)
    assert decisions.filter(responsable__type=Organisation.Type.FEDERATION).count() >= 1
    assert Instance.objects.filter(schema=schema, type=Instance.Type.COTECH).exists()


def test_references_au_31_12_2015_calculees_depuis_les_donnees(schema):
    calcules = {i.code: i for i in Indicateur.objects.filter(schema=schema, source=Indicateur.Source.CALCULE)}
    assert all(i.reference_valeur is None and i.reference_date == REFERENCE for i in calcules.values())

    def reference(code):
        return calcules[code].valeurs.get(date=REFERENCE).valeur

    assert reference("STRUCTURES") == 47 and reference("CS") == 35 and reference("EVS") == 12
    assert Decimal("17400000") < reference("BUDGET") < Decimal("17600000")
    assert Decimal("2650000") < reference("FINANCEMENT_CAF") < Decimal("2750000")
    assert Decimal("63") < reference("PART_CS_ASSO") < Decimal("70")  # about two thirds
    assert {i.definition for i in calcules.values()} >= {
        "structures_actives", "part_cs_gestion_associative", "budget_cumule", "financement_caf",
        "part_population_couverte", "communes_sans_structure", "qpv_sans_structure", "taux_reponse_observatoire",
        "benevoles",
    }  # fmt: skip
    saisis = Indicateur.objects.filter(schema=schema, source=Indicateur.Source.MANUEL)
    assert saisis.count() >= 2 and all(i.valeurs.exists() for i in saisis)


def test_rechargement_idempotent(schema):
    with override_settings(DEBUG=True, MAILLAGE_DEMO=True):
        sortie = StringIO()
        call_command("charger_demo", "--sans-territoires", stdout=sortie, stderr=StringIO())
    assert "schéma 2016-2020 déjà chargé" in sortie.getvalue()
    assert Schema.objects.filter(departement_id="94").count() == 1


def test_documents_du_schema_de_demonstration(schema, client):
    """The documents page and the outputs work on the demo (the PDF's HTML: the PDF itself is tested elsewhere)."""
    assert client.get(reverse("schema:documents", args=[schema.pk])).status_code == 200
    html = sorties.html_pdf(schema, interne=False)
    for axe in demo.AXES:
        assert axe in html
    assert "Fiche fictive (démonstration)" in html and "Cabinet TMO Régions" in html
    client.force_login(Utilisateur.objects.get(email=demo.PILOTE))
    reponse = client.get(reverse("schema:export_xlsx", args=[schema.pk]))
    assert reponse.status_code == 200 and reponse.content.startswith(b"PK")
