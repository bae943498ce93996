"""The pilote's page of groupings: list (EPT read-only), import a file, draw, edit with dated memberships, close,
delete; every write audited; every other role refused."""

import datetime
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.territoires import perimetres
from maillage.territoires.models import Appartenance, Chargement, Regroupement
from tests.comptes.factories import UtilisateurFactory
from tests.structures.factories import StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

AUJOURDHUI = datetime.date(2016, 10, 15)
pytestmark = pytest.mark.usefixtures("jour_fixe")


@pytest.fixture
def jour_fixe():
    with override_settings(MAILLAGE_AUJOURDHUI=AUJOURDHUI):
        yield


@pytest.fixture
def monde(territoire_94):
    dep = territoire_94.departement
    dep93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    bobigny = CommuneFactory(code="93008", nom="Bobigny", departement=dep93)
    ept = Regroupement.objects.create(
        type=Regroupement.Type.EPT, code="200058014", nom="Grand-Orly Seine Bièvre", debut=datetime.date(2016, 1, 1)
    )
    for code in ("94081", "94041"):
        Appartenance.objects.create(regroupement=ept, commune_id=code, debut=datetime.date(2016, 1, 1))
    structure = StructureFactory(commune=territoire_94.communes[0])

    def compte(role, departements, **kw):
        return UtilisateurFactory(role=role, departements=departements, **kw)

    return SimpleNamespace(
        dep=dep,
        bobigny=bobigny,
        ept=ept,
        pilote=compte(Role.PILOTE, [dep]),
        pilote93=compte(Role.PILOTE, [dep93]),
        conseiller=compte(Role.CONSEILLER, [dep], communes=[territoire_94.communes[0]]),
        partenaire=compte(Role.PARTENAIRE, [dep]),
        structure=compte(Role.STRUCTURE, [dep], structure=structure),
    )


def url(nom, *args):
    return reverse(f"territoires:{nom}", args=["94", *args])


def creer(client, **donnees):
    valeurs = {"nom": "Territoire Nord", "type": "territoire_caf", "debut": "2016-01-01", "fin": ""}
    valeurs.update(donnees)
    return client.post(url("regroupement_creer"), valeurs)


def test_le_pilote_dessine_un_regroupement_de_trois_communes_journalise(client, monde):
    client.force_login(monde.pilote)
    reponse = creer(client, communes=["94028", "94081", "94041"])
    assert reponse.status_code == 302 and reponse["Location"] == url("regroupements")
    r = Regroupement.objects.get(type="territoire_caf")
    assert (r.code, r.departement_id, r.debut, r.fin) == ("94-territoire-nord", "94", datetime.date(2016, 1, 1), None)
    assert set(r.appartenances.values_list("commune_id", flat=True)) == {"94028", "94081", "94041"}
    entree = LogEntry.objects.get_for_object(r).get()
    assert entree.actor == monde.pilote
    # Offered at once by the cuts of the département.
    decoupages = perimetres.decoupages_du_departement("94", date=AUJOURDHUI)
    assert "territoire_caf" in [d.cle for d in decoupages]
    page = client.get(url("regroupements")).content.decode()
    assert "Territoire Nord" in page and "Grand-Orly Seine Bièvre" in page
    assert url("regroupement_modifier", monde.ept.pk) not in page  # an EPT is read-only


def test_saisie_invalide_refusee_sans_rien_ecrire(client, monde):
    client.force_login(monde.pilote)
    sans_commune = creer(client)
    assert sans_commune.status_code == 200 and "Ce champ est obligatoire" in sans_commune.content.decode()
    hors = creer(client, communes=["93008"])
    assert hors.status_code == 200 and "93008" in hors.content.decode()
    dates = creer(client, communes=["94028"], fin="2015-01-01").content.decode()
    assert "La fin de validité précède son début" in dates
    ept = creer(client, communes=["94028"], type="ept")
    assert ept.status_code == 200
    assert not Regroupement.objects.exclude(type="ept").exists()
    creer(client, communes=["94028"])
    doublon = creer(client, nom=" Territoire   Nord ", communes=["94081"]).content.decode()
    assert "porte déjà ce nom" in doublon
    assert Regroupement.objects.filter(type="territoire_caf").count() == 1


def test_modifier_date_les_appartenances_au_lieu_de_les_effacer(client, monde):
    client.force_login(monde.pilote)
    creer(client, communes=["94028", "94081"])
    r = Regroupement.objects.get(type="territoire_caf")
    reponse = client.post(
        url("regroupement_modifier", r.pk), {"nom": "Territoire Nord-Ouest", "date_effet": "2016-09-01",
                                             "communes": ["94028", "94041"], "version": r.version},
    )  # fmt: skip
    assert reponse.status_code == 302
    r.refresh_from_db()
    assert r.nom == "Territoire Nord-Ouest"
    lignes = set(r.appartenances.values_list("commune_id", "debut", "fin"))
    assert lignes == {
        ("94028", datetime.date(2016, 1, 1), None),
        ("94081", datetime.date(2016, 1, 1), datetime.date(2016, 8, 31)),
        ("94041", datetime.date(2016, 9, 1), None),
    }
    p = perimetres.perimetre_lu("94", "territoire_caf:94-territoire-nord", date=AUJOURDHUI)
    assert perimetres.communes_du_perimetre("94", p, date=datetime.date(2016, 6, 1)) == {"94028", "94081"}
    assert perimetres.communes_du_perimetre("94", p, date=AUJOURDHUI) == {"94028", "94041"}
    # Before the grouping began: refused.
    avant = client.post(url("regroupement_modifier", r.pk), {"nom": "X", "date_effet": "2015-01-01",
                                                             "communes": ["94028"], "version": r.version})  # fmt: skip
    assert avant.status_code == 200 and "au plus tôt" in avant.content.decode()


def test_deux_pilotes_sur_le_meme_regroupement_le_second_est_prevenu(client, monde):
    """Optimistic lock: the second save of a form opened at the same version is refused with what changed, and
    writes nothing (it would have removed the first pilote's communes)."""
    client.force_login(monde.pilote)
    creer(client, communes=["94028"])
    r = Regroupement.objects.get(type="territoire_caf")
    ouverte = r.version
    premier = {"nom": r.nom, "date_effet": "2016-09-01", "communes": ["94028", "94081"], "version": ouverte}
    assert client.post(url("regroupement_modifier", r.pk), premier).status_code == 302
    second = {"nom": r.nom, "date_effet": "2016-09-01", "communes": ["94028", "94041"], "version": ouverte}
    reponse = client.post(url("regroupement_modifier", r.pk), second)
    assert reponse.status_code == 200 and "modifié" in reponse.content.decode()
    assert set(r.appartenances.values_list("commune_id", flat=True)) == {"94028", "94081"}
    cloture = client.post(url("regroupement_cloturer", r.pk), {"fin": "2016-12-31", "version": ouverte})
    assert cloture.status_code == 200
    r.refresh_from_db()
    assert r.fin is None and r.version == ouverte + 1


def test_cloturer_puis_supprimer_avec_confirmation(client, monde):
    client.force_login(monde.pilote)
    creer(client, communes=["94028"])
    r = Regroupement.objects.get(type="territoire_caf")
    assert (
        client.post(url("regroupement_cloturer", r.pk), {"fin": "2016-12-31", "version": r.version}).status_code == 302
    )
    r.refresh_from_db()
    assert r.fin == datetime.date(2016, 12, 31)
    assert list(r.appartenances.values_list("fin", flat=True)) == [datetime.date(2016, 12, 31)]
    # In force since January: deleting it asks for a confirmation.
    refus = client.post(url("regroupement_supprimer", r.pk), {})
    assert refus.status_code == 200 and "Clôturez-le plutôt" in refus.content.decode()
    assert Regroupement.objects.filter(pk=r.pk).exists()
    assert client.post(url("regroupement_supprimer", r.pk), {"confirme": "on"}).status_code == 302
    assert not Regroupement.objects.filter(pk=r.pk).exists()
    assert not Appartenance.objects.filter(regroupement_id=r.pk).exists()


def test_supprimer_un_regroupement_pas_encore_en_vigueur_sans_confirmation(client, monde):
    client.force_login(monde.pilote)
    creer(client, communes=["94028"], debut="2017-01-01")
    r = Regroupement.objects.get(type="territoire_caf")
    assert "pas encore entré en vigueur" in client.get(url("regroupement_supprimer", r.pk)).content.decode()
    assert client.post(url("regroupement_supprimer", r.pk), {}).status_code == 302
    assert not Regroupement.objects.filter(pk=r.pk).exists()


def fichier(texte: str, nom="territoires.csv"):
    return SimpleUploadedFile(nom, texte.encode("utf-8"), content_type="text/csv")


def test_import_d_un_fichier_journalise(client, monde):
    client.force_login(monde.pilote)
    contenu = "regroupement;code_commune\nNord;94028\nNord;94081\nSud;94041\n"
    reponse = client.post(
        url("regroupements_importer"), {"fichier": fichier(contenu), "type": "ctg", "debut": "2016-01-01"}
    )
    assert reponse.status_code == 302
    assert sorted(Regroupement.objects.filter(type="ctg").values_list("nom", flat=True)) == ["Nord", "Sud"]
    chargement = Chargement.objects.get(commande="importer_regroupements")
    assert chargement.statut == Chargement.Statut.REUSSI and chargement.auteur == monde.pilote.email
    assert chargement.parametres["departement"] == "94"


def test_import_refuse_liste_les_erreurs_et_n_ecrit_rien(client, monde):
    client.force_login(monde.pilote)
    contenu = "regroupement;code_commune\nNord;94028\nNord;99999\n;94081\nSud;93008\n"
    reponse = client.post(
        url("regroupements_importer"), {"fichier": fichier(contenu), "type": "ctg", "debut": "2016-01-01"}
    )
    assert reponse.status_code == 422
    page = reponse.content.decode()
    assert "rien n&#x27;a été importé" in page or "rien n'a été importé" in page
    assert "<td>3</td><td>code_commune</td>" in page and "inconnue du référentiel" in page
    assert "le nom du regroupement est vide" in page and "pas dans le 94" in page
    assert not Regroupement.objects.filter(type="ctg").exists()
    assert Chargement.objects.get(commande="importer_regroupements").statut == Chargement.Statut.REFUSE


@pytest.mark.parametrize("role", ["conseiller", "partenaire", "structure", "pilote93"])
def test_les_autres_roles_sont_refuses(client, monde, role):
    client.force_login(getattr(monde, role))
    r = Regroupement.objects.create(
        type="territoire_caf", code="94-a", nom="A", departement_id="94", debut=datetime.date(2016, 1, 1)
    )
    for nom, args in [
        ("regroupements", ()),
        ("regroupement_creer", ()),
        ("regroupements_importer", ()),
        ("regroupement_modifier", (r.pk,)),
        ("regroupement_cloturer", (r.pk,)),
        ("regroupement_supprimer", (r.pk,)),
    ]:
        assert client.get(url(nom, *args)).status_code == 403
    assert creer(client, communes=["94028"]).status_code == 403
    assert client.post(url("regroupement_supprimer", r.pk), {"confirme": "on"}).status_code == 403
    assert Regroupement.objects.filter(pk=r.pk).exists()
    assert Regroupement.objects.count() == 2


def test_anonyme_renvoye_a_la_connexion(client, monde):
    reponse = client.get(url("regroupements"))
    assert reponse.status_code == 302 and reverse("comptes:connexion") in reponse["Location"]


def test_un_ept_ou_un_regroupement_d_un_autre_departement_ne_se_modifie_pas(client, monde):
    client.force_login(monde.pilote)
    assert client.get(url("regroupement_modifier", monde.ept.pk)).status_code == 404
    autre = Regroupement.objects.create(
        type="territoire_caf", code="93-a", nom="A", departement_id="93", debut=datetime.date(2016, 1, 1)
    )
    assert client.post(url("regroupement_supprimer", autre.pk), {"confirme": "on"}).status_code == 404
    assert Regroupement.objects.filter(pk=autre.pk).exists()


def test_lien_depuis_la_page_du_departement_et_la_navigation_pour_le_pilote_seulement(client, monde):
    lien = f'href="{url("regroupements")}"'
    client.force_login(monde.pilote)
    assert lien in client.get(reverse("territoires:departement", args=["94"])).content.decode()
    client.force_login(monde.partenaire)
    assert lien not in client.get(reverse("territoires:departement", args=["94"])).content.decode()


def test_liste_nombre_de_requetes_borne(client, monde, django_assert_max_num_queries):
    client.force_login(monde.pilote)
    for i in range(5):
        creer(client, nom=f"Territoire {i}", communes=["94028", "94081"])
    with django_assert_max_num_queries(12):
        assert client.get(url("regroupements")).status_code == 200


def test_la_liste_compte_les_communes_du_jour_et_celles_depuis_le_debut(client, monde):
    client.force_login(monde.pilote)
    creer(client, communes=["94028", "94081"])
    r = Regroupement.objects.get(type="territoire_caf")
    client.post(
        url("regroupement_modifier", r.pk),
        {"nom": r.nom, "date_effet": "2016-09-01", "communes": ["94028"], "version": r.version},
    )
    page = client.get(url("regroupements")).content.decode()
    ligne = page[page.index("Territoire Nord</a>") :]
    ligne = ligne[: ligne.index("</tr>")]
    assert '<td class="nombre">1 <span class="aide">(2 depuis le début)</span></td>' in ligne
    ept = page[page.index("Grand-Orly Seine Bièvre") :]
    assert '<td class="nombre">2</td>' in ept[: ept.index("</tr>")]
