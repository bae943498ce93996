"""Import of the annuaire: all or nothing with line/column errors in French, deduplication, idempotent re-run,
organisations matched (or created with a type), hostile files refused cleanly, audit, pages and command."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse

from maillage.comptes.models import Organisation
from maillage.core.imports import ImportRefuse
from maillage.core.tableurs import classeur_octets, nouveau_classeur
from maillage.reseau import services_annuaire
from maillage.reseau.models import Personne
from maillage.territoires.models import Chargement
from tests.reseau.factories import PersonneFactory, jeu_annuaire


@pytest.fixture
def jeu(territoire_94):
    return jeu_annuaire(territoire_94)


ENTETE = "Nom;Prénom;Fonction;Organisation;Catégorie;E-mail;Téléphone;Commune;Base légale;Date de consentement"


def csv(*lignes, entete=ENTETE) -> bytes:
    return ("\n".join([entete, *lignes]) + "\n").encode("utf-8")


BON = csv(
    "Durand;Lou;Directrice;CCAS de Vitry;CCAS;lou.durand@exemple.fr;01 02 03 04 05;94081;;",
    "Martin;Sam;Maire adjoint;Mairie de Créteil;Élu·e;;;Créteil;Consentement de la personne;21/11/2016",
    "Bravo;Dominique;Responsable;CCAS de Vitry;ccas;BRAVO@exemple.fr;;;;",
)


def importer(jeu, contenu, appliquer=True, par=None):
    return services_annuaire.annuaire_importer(
        par=par or jeu.pilote, departement=jeu.dep, contenu=contenu, nom_fichier="annuaire.csv", appliquer=appliquer
    )


def test_import_cree_met_a_jour_et_se_rejoue_sans_rien_changer(jeu):
    apercu = importer(jeu, BON, appliquer=False)
    assert apercu["compteurs"] == {"creer": 2, "modifier": 1, "inchange": 0}
    assert Personne.objects.filter(departement=jeu.dep).count() == 3  # the preview writes nothing
    resume = importer(jeu, BON)
    assert resume["applique"]
    lou = Personne.objects.get(email="lou.durand@exemple.fr")
    assert lou.organisation == jeu.ccas and lou.commune_id == "94081" and lou.origine == "import"
    sam = Personne.objects.get(nom="Martin")
    assert sam.commune_id == "94028" and sam.base_legale == "consentement" and sam.consentement_le
    bravo = Personne.objects.get(email="bravo@exemple.fr")  # same e-mail: updated, not duplicated
    assert bravo.pk == jeu.personnes[1].pk and bravo.fonction == "Responsable"
    assert Personne.objects.filter(departement=jeu.dep).count() == 5
    versions = dict(Personne.objects.values_list("pk", "version"))
    entrees = LogEntry.objects.count()
    again = importer(jeu, BON)
    assert again["compteurs"] == {"creer": 0, "modifier": 0, "inchange": 3}
    assert dict(Personne.objects.values_list("pk", "version")) == versions
    assert LogEntry.objects.count() == entrees


def test_sans_email_meme_nom_prenom_organisation_est_la_meme_personne(jeu):
    importer(jeu, csv("Martin;Sam;Maire adjoint;Mairie de Créteil;elu;;;;;"))
    resume = importer(jeu, csv("Martin;Sam;Premier adjoint;Mairie de Créteil;elu;;;;;"))
    assert resume["compteurs"] == {"creer": 0, "modifier": 1, "inchange": 0}
    assert Personne.objects.get(nom="Martin").fonction == "Premier adjoint"
    # an e-mail given later completes the same entry
    importer(jeu, csv("Martin;Sam;;Mairie de Créteil;elu;sam@exemple.fr;;;;"))
    assert Personne.objects.filter(nom="Martin").count() == 1
    assert Personne.objects.get(nom="Martin").email == "sam@exemple.fr"


def test_import_audite_avec_son_chargement_et_son_auteur(jeu):
    importer(jeu, BON)
    chargement = Chargement.objects.get(commande="importer_annuaire", statut="reussi")
    assert chargement.auteur == jeu.pilote.email
    lou = Personne.objects.get(email="lou.durand@exemple.fr")
    entree = LogEntry.objects.get_for_object(lou).get()
    assert entree.actor == jeu.pilote and entree.additional_data["chargement"] == chargement.pk
    modif = LogEntry.objects.get_for_object(jeu.personnes[1]).latest("timestamp")
    assert modif.additional_data["chargement"] == chargement.pk and "fonction" in modif.changes


def _erreurs(jeu, contenu):
    with pytest.raises(ImportRefuse) as refuse:
        importer(jeu, contenu)
    return [(e["ligne"], e["champ"], e["raison"]) for e in refuse.value.erreurs]


def test_tout_ou_rien_avec_ligne_colonne_et_raison(jeu):
    avant = sorted(Personne.objects.values_list("pk", "version"))
    erreurs = _erreurs(
        jeu,
        csv(
            "Durand;Lou;;CCAS de Vitry;CCAS;lou@exemple.fr;;;;",
            ";Sans nom;;;ccas;;;;;",
            "Zoé;;;Inconnue SA;pompier;pas-une-adresse;;75056;pas une base;31/02/2016",
            "Autre;Lou;;;ccas;LOU@exemple.fr;;;;",
            "Conso;;;;ccas;conso@exemple.fr;;;consentement;",
        ),
    )
    lieux = {(ligne, colonne) for ligne, colonne, _ in erreurs}
    assert (3, "Nom") in lieux
    assert {(4, "Organisation"), (4, "Catégorie"), (4, "E-mail"), (4, "Commune"), (4, "Base légale"),
            (4, "Date de consentement")} <= lieux  # fmt: skip
    assert (5, "E-mail") in lieux and (6, "Date de consentement") in lieux
    raisons = {(ligne, colonne): raison for ligne, colonne, raison in erreurs}
    assert "déjà donnée en ligne 2" in raisons[(5, "E-mail")]
    assert "inconnue dans le département" in raisons[(4, "Organisation")]
    assert sorted(Personne.objects.values_list("pk", "version")) == avant
    assert not Personne.objects.filter(email="lou@exemple.fr").exists()
    assert Chargement.objects.get(commande="importer_annuaire").statut == "refuse"


def test_meme_personne_sans_email_deux_fois_refusee(jeu):
    erreurs = _erreurs(jeu, csv("Martin;Sam;;Mairie de Créteil;elu;;;;;", "martin;SAM;;Mairie de Creteil;elu;;;;;"))
    assert [(ligne, colonne) for ligne, colonne, _ in erreurs] == [(3, "Nom")]


def test_organisation_inconnue_creee_avec_son_type(jeu):
    contenu = csv(
        "Durand;Lou;;Centre social des Bleuets;centre_social;lou@exemple.fr;;;;;Association",
        "Petit;Ana;;centre social des bleuets;centre_social;ana@exemple.fr;;;;;association",
        entete=ENTETE + ";Type d'organisation",
    )
    importer(jeu, contenu)
    orga = Organisation.objects.get(nom="Centre social des Bleuets")
    assert orga.type == "association" and orga.departement == jeu.dep
    assert set(orga.personnes_reseau.values_list("nom", flat=True)) == {"Durand", "Petit"}
    assert importer(jeu, contenu)["compteurs"]["inchange"] == 2
    assert Organisation.objects.filter(nom__iexact="Centre social des Bleuets").count() == 1


def test_colonnes_obligatoires_et_fichier_vide(jeu):
    erreurs = _erreurs(jeu, csv("Durand", entete="Nom"))
    assert "Catégorie" in erreurs[0][2]
    assert _erreurs(jeu, b"   ")


def test_formule_refusee(jeu):
    erreurs = _erreurs(jeu, csv('=HYPERLINK("http://mal.example");Lou;;;ccas;;;;;'))
    assert erreurs[0][:2] == (2, "Nom") and "formule" in erreurs[0][2]


def test_cellule_enorme_refusee_proprement(jeu):
    erreurs = _erreurs(jeu, csv("Durand;" + "x" * 40_000 + ";;;ccas;;;;;"))
    assert "cellule trop longue" in erreurs[0][2]
    erreurs = _erreurs(jeu, csv("Durand;" + "x" * 500 + ";;;ccas;;;;;"))
    assert erreurs[0][:2] == (2, "Prénom") and "trop long" in erreurs[0][2]


def test_import_xlsx(jeu):
    classeur = nouveau_classeur()
    feuille = classeur.active
    feuille.append(["Nom", "Prénom", "Catégorie", "E-mail", "Date de consentement", "Base légale"])
    import datetime

    feuille.append(["Xl", "Sara", "Relais petite enfance (ex-RAM)", "sara@exemple.fr", datetime.date(2020, 5, 4),
                    "consentement"])  # fmt: skip
    importer(jeu, classeur_octets(classeur))
    sara = Personne.objects.get(email="sara@exemple.fr")
    assert sara.categorie == "rpe" and sara.base_legale == "consentement"


def test_export_puis_reimport_ne_change_rien(client, jeu):
    client.force_login(jeu.pilote)
    export = client.get(reverse("reseau:annuaire_export", args=["csv"]), {"departement": "94"}).content
    assert importer(jeu, export)["compteurs"] == {"creer": 0, "modifier": 0, "inchange": 3}


def test_page_import_apercu_puis_confirmation(client, jeu):
    client.force_login(jeu.conseiller)
    url = reverse("reseau:annuaire_importer") + "?departement=94"
    assert client.get(url).status_code == 200
    fichier = io.BytesIO(BON)
    fichier.name = "annuaire.csv"
    reponse = client.post(url, {"fichier": fichier})
    assert reponse.status_code == 200 and reponse.context["apercu"]["compteurs"]["creer"] == 2
    assert Personne.objects.count() == 3
    reponse = client.post(url, {"empreinte": reponse.context["apercu"]["empreinte"], "nom_fichier": "annuaire.csv"})
    assert reponse.status_code == 302
    assert Personne.objects.count() == 5
    # a bad file: the errors are shown, nothing written
    fichier = io.BytesIO(csv(";;;;pompier;;;;;"))
    fichier.name = "faux.csv"
    reponse = client.post(url, {"fichier": fichier})
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert "Fichier refusé" in page and "Catégorie" in page


def test_page_import_confirmation_d_un_fichier_inconnu(client, jeu):
    client.force_login(jeu.pilote)
    url = reverse("reseau:annuaire_importer") + "?departement=94"
    assert client.post(url, {"empreinte": "0" * 64}).status_code == 302
    assert client.post(url, {"empreinte": "../../etc"}).status_code == 403


def test_import_refuse_hors_perimetre(jeu):
    for user in (jeu.partenaire, jeu.pilote_autre):
        with pytest.raises(Exception, match="accès"):
            importer(jeu, BON, par=user)
    assert Personne.objects.count() == 3


def test_commande(jeu, tmp_path):
    chemin = tmp_path / "annuaire.csv"
    chemin.write_bytes(BON)
    sortie = io.StringIO()
    call_command("importer_annuaire", str(chemin), "--departement", "94", "--simulation", stdout=sortie)
    assert "Simulation" in sortie.getvalue() and Personne.objects.count() == 3
    call_command("importer_annuaire", str(chemin), "--departement", "94", "--auteur", "Opératrice", stdout=sortie)
    assert Personne.objects.count() == 5
    assert Chargement.objects.get(statut="reussi").auteur == "Opératrice"
    chemin.write_bytes(csv(";;;;;;;;;"[:-1] + "x"))
    with pytest.raises(CommandError, match="ligne 2"):
        call_command("importer_annuaire", str(chemin), "--departement", "94", stdout=sortie)
    with pytest.raises(CommandError, match="Département inconnu"):
        call_command("importer_annuaire", str(chemin), "--departement", "99", stdout=sortie)


def test_fiche_ajoutee_pendant_l_import_refus_sans_ecriture(jeu, monkeypatch):
    from maillage.reseau import echanges_annuaire

    valider = echanges_annuaire.valider_import

    def puis_concurrent(**k):
        resume = valider(**k)
        PersonneFactory(departement=jeu.dep, email="lou.durand@exemple.fr")  # another session, in between
        return resume

    monkeypatch.setattr(echanges_annuaire, "valider_import", puis_concurrent)
    with pytest.raises(ImportRefuse, match="a changé pendant l'import"):
        importer(jeu, BON)
    assert Personne.objects.filter(departement=jeu.dep).count() == 4
    assert not Chargement.objects.filter(statut="reussi").exists()
