"""Import of structures (CSV / XLSX): validation of the whole file, idempotence, command."""

import csv
import io
import time

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.comptes.models import Role
from maillage.core.imports import ImportRefuse
from maillage.structures import exports, imports
from maillage.structures.models import Gestionnaire, Structure
from maillage.structures.services_import import structures_importer
from maillage.territoires.models import Chargement, Departement
from tests.comptes.factories import UtilisateurFactory
from tests.core import bombes
from tests.structures import test_echanges_export as jeu

# The shared data set (fixture) of the exports' tests.
registre = jeu.registre
exporter = jeu.exporter

LIBELLES = [c.libelle for c in exports.COLONNES]


def csv_de(lignes: list[dict], entetes=LIBELLES) -> bytes:
    tampon = io.StringIO()
    ecrivain = csv.DictWriter(tampon, fieldnames=entetes, delimiter=";")
    ecrivain.writeheader()
    for ligne in lignes:
        ecrivain.writerow({cle: ligne.get(cle, "") for cle in entetes})
    return tampon.getvalue().encode("utf-8")


def nouvelle_ligne(**valeurs) -> dict:
    ligne = {
        "Nom": "Espace de vie sociale du Port",
        "Type": "evs",
        "Gestionnaire": "Association du Port",
        "Forme juridique": "association",
        "Code commune (INSEE)": "94041",
        "Code postal": "94200",
        "Longitude": "2,40",
        "Latitude": "48,82",
        "Multi-sites": "non",
        "Date d'ouverture": "01/09/2016",
    }
    ligne.update(valeurs)
    return ligne


def etat():
    """A fingerprint of the registry: every structure's fields and the gestionnaires."""
    return (
        list(Structure.objects.order_by("pk").values()),
        list(Gestionnaire.objects.order_by("pk").values_list("pk", "nom", "forme_juridique")),
    )


def importer(contenu: bytes, **options) -> dict:
    return structures_importer(contenu=contenu, nom_fichier="test.csv", appliquer=True, **options)


@pytest.mark.parametrize("variante", ["personnes", "codes"])
@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_aller_retour_export_import_ne_change_rien(registre, tmp_path, format_, variante):
    # Both the file for people (labels, French values, dd/mm/yyyy) and the raw one (codes) are read back.
    chemin = tmp_path / f"export.{format_}"
    exporter(departement="94", format=format_, sortie=str(chemin), variante=variante)
    avant = etat()
    entrees_audit = LogEntry.objects.count()
    resume = importer(chemin.read_bytes(), departement="94")
    assert resume["compteurs"] == {"creer": 0, "modifier": 0, "inchange": 3}
    assert etat() == avant
    assert LogEntry.objects.count() == entrees_audit
    # The run is journaled.
    assert Chargement.objects.get(commande="importer_structures").statut == Chargement.Statut.REUSSI


def test_modification_et_creation(registre, django_user_model):
    texte = exporter(departement="94").lstrip("\ufeff")
    lignes = list(csv.DictReader(io.StringIO(texte), delimiter=";"))
    bleuets = next(ligne for ligne in lignes if ligne["Nom"] == "Centre social Les Bleuets")
    bleuets["Nom"] = "Centre social Les Bleuets et Mont-Mesly"
    bleuets["Adhérente à la fédération"] = "non"
    bleuets["Code commune (INSEE)"] = "94081"
    bleuets["Longitude"] = "2.38"  # inside Vitry's outline
    bleuets["Latitude"] = "48.79"
    lignes.append(nouvelle_ligne())
    lignes.append(
        nouvelle_ligne(
            Nom="Centre social municipal",
            Type="Centre social",
            Gestionnaire="CCAS d'Ivry-sur-Seine",
            **{"Forme juridique": "CCAS"},
        )
    )
    gestionnaires_avant = Gestionnaire.objects.count()

    resume = importer(csv_de(lignes), departement="94")

    assert resume["compteurs"] == {"creer": 2, "modifier": 1, "inchange": 2}
    modifiee = next(p for p in resume["plan"] if p["action"] == "modifier")
    assert set(modifiee["champs"]) == {"nom", "adherent_federation", "commune_id", "longitude", "latitude"}
    structure = Structure.objects.get(pk=registre["bleuets"].pk)
    assert structure.nom == "Centre social Les Bleuets et Mont-Mesly"
    assert structure.adherent_federation is False and structure.commune_id == "94081"
    # The audit trail records the update.
    assert LogEntry.objects.get_for_object(structure).filter(action=LogEntry.Action.UPDATE).exists()
    port = Structure.objects.get(nom="Espace de vie sociale du Port")
    assert port.departement_id == "94" and port.type == "evs"
    assert port.longitude == 2.40 and port.latitude == 48.82
    assert port.date_ouverture.isoformat() == "2016-09-01"
    assert port.gestionnaire.nom == "Association du Port"
    # The CCAS already exists: matched by (nom, forme juridique), not duplicated.
    municipal = Structure.objects.get(nom="Centre social municipal")
    assert municipal.gestionnaire == registre["ivry"].gestionnaire
    assert Gestionnaire.objects.count() == gestionnaires_avant + 1

    # Importing the same file again changes nothing... except that rows without id create again: the
    # export round trip is what is idempotent, so the created rows now come back with their id.
    texte = exporter(departement="94").lstrip("\ufeff")
    assert importer(texte.encode(), departement="94")["compteurs"] == {"creer": 0, "modifier": 0, "inchange": 5}


def test_simulation_n_ecrit_rien(registre):
    avant = etat()
    resume = structures_importer(contenu=csv_de([nouvelle_ligne()]), nom_fichier="x.csv", departement="94")
    assert resume["compteurs"]["creer"] == 1 and resume["applique"] is False
    assert etat() == avant
    assert not Chargement.objects.exists()


def test_identifiant_inconnu_cree_avec_avertissement(registre):
    resume = importer(csv_de([nouvelle_ligne(Identifiant="999999")]))
    assert resume["compteurs"]["creer"] == 1
    assert "identifiant 999999 inconnu" in resume["avertissements"][0]["message"]


ERREURS = [
    ("Code commune (INSEE)", "94999", "commune inconnue « 94999 »"),
    ("Code commune (INSEE)", "93008", "n'est pas dans le département 94"),
    ("SIRET", "12345678901234", "clé de contrôle"),
    ("SIRET", "1234", "14 chiffres"),
    ("Type", "crèche", "type inconnu « crèche »"),
    ("Forme juridique", "SARL", "forme juridique inconnue « SARL »"),
    ("Date d'ouverture", "31/02/2016", "date invalide « 31/02/2016 »"),
    ("Longitude", "200", "longitude hors limites"),
    ("Latitude", "quarante-huit", "latitude invalide"),
    ("Nom", "", "valeur obligatoire manquante"),
    ("E-mail", "pas-une-adresse", "adresse e-mail invalide"),
    ("Site web", "bleuets", "adresse web invalide"),
    ("Multi-sites", "peut-être", "attendu oui ou non"),
    ("Code postal", "9400", "code postal invalide"),
    ("Date de fermeture", "2015-01-01", "la date de fermeture précède la date d'ouverture"),
]


@pytest.mark.parametrize(("colonne", "valeur", "raison"), ERREURS)
def test_fichier_faux_rien_n_est_ecrit(registre, colonne, valeur, raison):
    avant = etat()
    lignes = [nouvelle_ligne(Nom="Une ligne juste"), nouvelle_ligne(**{colonne: valeur})]
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de(lignes), departement="94")
    assert etat() == avant
    erreurs = refus.value.erreurs
    assert len(erreurs) == 1, erreurs
    assert erreurs[0]["ligne"] == 3 and erreurs[0]["champ"] == colonne
    assert raison in erreurs[0]["raison"]
    assert erreurs[0]["message"].startswith(f"ligne 3, colonne « {colonne} » : ")
    assert "rien n'a été importé" in refus.value.message
    journal = Chargement.objects.get()
    assert journal.statut == Chargement.Statut.REFUSE and journal.erreurs == erreurs


def test_identifiant_d_un_autre_departement(registre):
    avant = etat()
    ligne = nouvelle_ligne(Identifiant=str(registre["bobigny"].pk))
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de([ligne]), departement="94")
    assert etat() == avant
    [erreur] = refus.value.erreurs
    assert erreur["champ"] == "Identifiant" and "autre département (93)" in erreur["raison"]


def test_identifiant_en_double(registre):
    ligne = nouvelle_ligne(Identifiant=str(registre["ivry"].pk), Type="centre_social")
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de([ligne, ligne]), departement="94")
    assert [e["ligne"] for e in refus.value.erreurs] == [3]
    assert "déjà présent ligne 2" in refus.value.erreurs[0]["raison"]


def test_type_d_une_structure_agreee_et_position_hors_commune(registre):
    avant = etat()
    lignes = [
        nouvelle_ligne(Identifiant=str(registre["ivry"].pk), Type="evs"),
        nouvelle_ligne(Longitude="2.30", Latitude="48.70"),
        nouvelle_ligne(Type="x"),
    ]
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de(lignes), departement="94")
    assert etat() == avant
    assert [(e["ligne"], e["champ"]) for e in refus.value.erreurs] == [(2, "Type"), (3, "Longitude"), (4, "Type")]
    assert "a des agréments de centre social" in refus.value.erreurs[0]["raison"]
    assert "en dehors de la commune de Ivry-sur-Seine" in refus.value.erreurs[1]["raison"]


def test_position_ancienne_hors_commune_ne_bloque_pas_le_reimport(registre, tmp_path):
    # Older data placed outside its commune: re-importing the export does not fail on it.
    Structure.objects.filter(pk=registre["ivry"].pk).update(longitude=2.0, latitude=48.0)
    chemin = tmp_path / "export.csv"
    exporter(departement="94", format="csv", sortie=str(chemin))
    assert importer(chemin.read_bytes(), departement="94")["compteurs"]["inchange"] == 3


def test_toutes_les_erreurs_sont_listees(registre):
    lignes = [nouvelle_ligne(Type="x"), nouvelle_ligne(SIRET="1"), nouvelle_ligne(**{"Code commune (INSEE)": ""})]
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de(lignes), departement="94")
    assert [(e["ligne"], e["champ"]) for e in refus.value.erreurs] == [
        (2, "Type"),
        (3, "SIRET"),
        (4, "Code commune (INSEE)"),
    ]


def test_colonne_obligatoire_absente(registre):
    entetes = [libelle for libelle in LIBELLES if libelle != "Forme juridique"]
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de([nouvelle_ligne()], entetes=entetes))
    [erreur] = refus.value.erreurs
    assert erreur["ligne"] == 1 and "Forme juridique" in erreur["raison"]


def test_en_tetes_par_code_et_separateur_virgule(registre):
    contenu = "nom,type,gestionnaire,forme_juridique,commune_code\nEVS Nouveau,EVS,Asso,Association loi 1901,94028\n"
    resume = importer(contenu.encode())
    assert resume["compteurs"]["creer"] == 1
    assert Structure.objects.get(nom="EVS Nouveau").gestionnaire.forme_juridique == "association"


@pytest.mark.parametrize(
    ("contenu", "raison"),
    [
        (b"", "vide"),
        (b"\x00\x01\x02\xff\xfe", "CSV ou XLSX"),
        (b"PK\x03\x04pas un classeur", "XLSX illisible"),
        (b"Nom;Type\n", "colonne obligatoire absente"),
    ],
)
def test_fichiers_illisibles(registre, contenu, raison):
    avant = etat()
    with pytest.raises(ImportRefuse) as refus:
        importer(contenu)
    assert raison in " ".join(e["raison"] for e in refus.value.erreurs)
    assert etat() == avant


# --- Command ------------------------------------------------------------------------------------


def test_commande_import_et_refus(registre, tmp_path):
    bon = tmp_path / "bon.csv"
    bon.write_bytes(csv_de([nouvelle_ligne()]))
    sortie = io.StringIO()
    call_command("importer_structures", str(bon), "--simulation", stdout=sortie)
    assert (
        "Simulation" in sortie.getvalue() and not Structure.objects.filter(nom="Espace de vie sociale du Port").exists()
    )
    call_command("importer_structures", str(bon), "--departement", "94", stdout=sortie)
    assert "1 structure(s) créée(s)" in sortie.getvalue()
    assert Structure.objects.filter(nom="Espace de vie sociale du Port").count() == 1

    faux = tmp_path / "faux.csv"
    faux.write_bytes(csv_de([nouvelle_ligne(), nouvelle_ligne(Longitude="999")]))
    with pytest.raises(CommandError) as erreur:
        call_command("importer_structures", str(faux), stdout=io.StringIO())
    assert "ligne 3, colonne « Longitude »" in str(erreur.value)
    assert Structure.objects.filter(nom="Espace de vie sociale du Port").count() == 1
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("importer_structures", str(tmp_path / "absent.csv"))


def test_colonne_en_double_refusee_et_simulation_sans_journal(registre):
    avant, journaux = etat(), Chargement.objects.count()
    contenu = "Nom;Type;Gestionnaire;Forme juridique;Code commune (INSEE);commune_code\n"
    contenu += "EVS Nouveau;evs;Asso;association;94028;94041\n"
    with pytest.raises(ImportRefuse) as refus:
        structures_importer(contenu=contenu.encode(), nom_fichier="t.csv", appliquer=False)
    (erreur,) = refus.value.erreurs
    assert erreur["message"] == (
        "ligne 1, colonne « commune_code » : colonne en double (déjà lue en colonne « Code commune (INSEE) »)."
    )
    assert refus.value.chargement is None and Chargement.objects.count() == journaux  # a preview journals nothing
    with pytest.raises(ImportRefuse) as refus:
        importer(contenu.encode())
    assert refus.value.chargement.statut == Chargement.Statut.REFUSE
    assert refus.value.chargement.erreurs == [erreur]
    assert etat() == avant


# --- Hostile files ------------------------------------------------------------------------------


def test_classeur_bombe_refuse_vite_sans_rien_ecrire(registre, monkeypatch):
    """A few hundred Ko of XLSX holding one huge string, or too many rows: a quick, clean refusal."""
    monkeypatch.setattr(imports, "LIGNES_MAX_IMPORT", 100)
    avant = etat()
    for bombe in (
        bombes.xlsx_longue_chaine(LIBELLES, 100_000_000),
        bombes.xlsx_lignes(LIBELLES, ["x"] * len(LIBELLES), 30_000),
    ):
        assert len(bombe) < 300_000
        debut = time.monotonic()
        with pytest.raises(ImportRefuse) as refus:
            importer(bombe)
        assert time.monotonic() - debut < 3
        raisons = " ".join(e["raison"] for e in refus.value.erreurs)
        assert "trop volumineux une fois décompressé" in raisons or "trop de lignes" in raisons
    assert etat() == avant


def test_en_tete_fausse_refusee_sans_lire_les_lignes(registre):
    """The missing columns are known at row 1: the rows (here too many) are not read."""
    with pytest.raises(ImportRefuse) as refus:
        importer(b"Nom;Type\n" + b"x;y\n" * 30_000)
    raisons = [e["raison"] for e in refus.value.erreurs]
    assert all("colonne obligatoire absente" in r for r in raisons) and len(raisons) == 3


def test_meme_nouvelle_structure_deux_fois_refusee(registre):
    avant = etat()
    ligne = nouvelle_ligne()
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de([ligne, ligne]))
    [erreur] = refus.value.erreurs
    assert erreur["ligne"] == 3 and "les lignes 2 et 3 décrivent la même nouvelle structure" in erreur["raison"]
    assert "même nom dans la même commune" in erreur["raison"]

    siret = jeu.siret_valide("4230000000099")
    autre = nouvelle_ligne(Nom="Un autre nom", SIRET=siret)
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de([nouvelle_ligne(SIRET=siret), nouvelle_ligne(), autre]))
    raisons = {e["ligne"]: e["raison"] for e in refus.value.erreurs}
    assert "les lignes 2 et 3" in raisons[3] and "les lignes 2 et 4" in raisons[4] and f"SIRET {siret}" in raisons[4]
    assert etat() == avant


def test_meme_nom_dans_deux_communes_accepte(registre):
    ailleurs = nouvelle_ligne(
        **{"Code commune (INSEE)": "94028", "Code postal": "94000", "Longitude": "", "Latitude": ""}
    )
    resume = importer(csv_de([nouvelle_ligne(), ailleurs]))
    assert resume["compteurs"]["creer"] == 2


def _entrees_de_l_import(chargement):
    return LogEntry.objects.filter(additional_data__chargement=chargement.pk)


def test_import_journalise_chaque_ecriture_avec_son_auteur_et_son_chargement(registre, client):
    pilote = UtilisateurFactory(role=Role.PILOTE, departements=[Departement.objects.get(code="94")])
    texte = exporter(departement="94").lstrip("\ufeff")
    lignes = list(csv.DictReader(io.StringIO(texte), delimiter=";"))
    bleuets = next(ligne for ligne in lignes if ligne["Nom"] == "Centre social Les Bleuets")
    bleuets["Nom"] = "Centre social Les Bleuets et Mont-Mesly"
    lignes.append(nouvelle_ligne())
    contenu = csv_de(lignes)

    importer(contenu, departement="94", utilisateur=pilote, auteur=pilote.email)

    chargement = Chargement.objects.get(commande="importer_structures")
    entrees = _entrees_de_l_import(chargement)
    port = Structure.objects.get(nom="Espace de vie sociale du Port")
    attendues = {
        ("structure", registre["bleuets"].pk, LogEntry.Action.UPDATE),
        ("structure", port.pk, LogEntry.Action.CREATE),
        ("gestionnaire", port.gestionnaire_id, LogEntry.Action.CREATE),
    }
    assert {(e.content_type.model, e.object_id, e.action) for e in entrees} == attendues
    assert all(e.actor == pilote for e in entrees)
    assert all(e.additional_data["commande"] == "importer_structures" for e in entrees)
    assert all(e.additional_data["fichier"] == "test.csv" for e in entrees)
    modification = entrees.get(action=LogEntry.Action.UPDATE)
    assert modification.changes_dict == {
        "nom": ["Centre social Les Bleuets", "Centre social Les Bleuets et Mont-Mesly"]
    }
    creation = entrees.get(action=LogEntry.Action.CREATE, content_type__model="structure")
    assert creation.changes_dict["nom"] == ["None", "Espace de vie sociale du Port"]
    # Nothing is written by auditlog itself, without the import's link.
    assert not LogEntry.objects.exclude(pk__in=entrees.values("pk")).filter(timestamp__gte=chargement.debut).exists()

    # The import's page lists what it wrote.
    client.force_login(pilote)
    page = client.get(f"/territoires/chargements/{chargement.pk}/").content.decode()
    assert "Objets créés ou modifiés (3)" in page and "Espace de vie sociale du Port" in page

    # The same file again: the new row has no id, so it comes back through the export, which changes nothing.
    total = LogEntry.objects.count()
    importer(exporter(departement="94").lstrip("\ufeff").encode(), departement="94", utilisateur=pilote)
    assert LogEntry.objects.count() == total


def test_import_en_ligne_de_commande_nomme_son_auteur(registre):
    importer(csv_de([nouvelle_ligne()]), departement="94", auteur="exploitation (cron)")
    chargement = Chargement.objects.get(commande="importer_structures")
    entrees = _entrees_de_l_import(chargement)
    assert entrees.count() == 2  # the structure and its new gestionnaire
    assert all(e.actor is None and e.additional_data["auteur"] == "exploitation (cron)" for e in entrees)


def test_import_refuse_n_ecrit_aucune_entree(registre, django_user_model):
    pilote = django_user_model.objects.create_user(email="pilote@exemple.fr")
    total = LogEntry.objects.count()
    with pytest.raises(ImportRefuse):
        importer(csv_de([nouvelle_ligne(), nouvelle_ligne(Type="inconnu")]), departement="94", utilisateur=pilote)
    assert LogEntry.objects.count() == total
    assert Chargement.objects.get(commande="importer_structures").statut == Chargement.Statut.REFUSE


def test_designation_du_gestionnaire_importee_et_regroupement_senacs_suivi(registre, django_user_model):
    # The Bleuets' association runs the centre under a public-service delegation: SENACS counts it in
    # « autre (dont délégation) ». A new association is appointed under a public contract ("Marché public").
    texte = exporter(departement="94").lstrip("\ufeff")
    lignes = list(csv.DictReader(io.StringIO(texte), delimiter=";"))
    bleuets = next(ligne for ligne in lignes if ligne["Nom"] == "Centre social Les Bleuets")
    bleuets["Désignation du gestionnaire"] = "DSP"
    lignes.append(nouvelle_ligne(**{"Désignation du gestionnaire": "Marché public"}))
    simulation = structures_importer(contenu=csv_de(lignes), nom_fichier="t.csv", departement="94")
    etape = next(p for p in simulation["plan"] if p["id"] == registre["bleuets"].pk)
    assert etape["action"] == "modifier" and etape["libelles"] == ["Désignation du gestionnaire"]
    entrees_max = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    resume = importer(csv_de(lignes), departement="94")

    assert resume["compteurs"] == {"creer": 1, "modifier": 1, "inchange": 2}
    assert resume["gestionnaires_modifies"] == 1
    gestionnaire = Gestionnaire.objects.get(pk=registre["bleuets"].gestionnaire_id)
    assert (gestionnaire.designation, gestionnaire.mode_gestion) == ("delegation", "autre")
    port = Structure.objects.get(nom="Espace de vie sociale du Port").gestionnaire
    assert (port.designation, port.mode_gestion) == ("delegation", "autre")
    # The gestionnaire's change is audited; the structure itself did not change.
    assert LogEntry.objects.get_for_object(gestionnaire).filter(action=LogEntry.Action.UPDATE).exists()
    nouvelles = LogEntry.objects.filter(pk__gt=entrees_max)
    assert not nouvelles.filter(object_pk=str(registre["bleuets"].pk), content_type__model="structure").exists()
    # Exported again, the file round-trips unchanged.
    texte = exporter(departement="94").lstrip("\ufeff")
    assert importer(texte.encode(), departement="94")["compteurs"] == {"creer": 0, "modifier": 0, "inchange": 4}


def test_designation_absente_ou_vide_ne_change_rien_et_inconnue_refusee(registre):
    texte = exporter(departement="94").lstrip("\ufeff")
    lignes = list(csv.DictReader(io.StringIO(texte), delimiter=";"))
    sans_colonne = [c for c in LIBELLES if c != "Désignation du gestionnaire"]
    assert importer(csv_de(lignes, entetes=sans_colonne), departement="94")["compteurs"]["inchange"] == 3
    for ligne in lignes:
        ligne["Désignation du gestionnaire"] = ""
    assert importer(csv_de(lignes), departement="94")["compteurs"]["inchange"] == 3
    avant = etat()
    lignes[0]["Désignation du gestionnaire"] = "par tirage au sort"
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de(lignes), departement="94")
    assert "désignation inconnue « par tirage au sort »" in str(refus.value.erreurs)
    assert etat() == avant
    # A régie is a collectivité's: not an association's.
    lignes[0]["Désignation du gestionnaire"] = ""
    lignes.append(nouvelle_ligne(**{"Désignation du gestionnaire": "Régie"}))
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de(lignes), departement="94")
    assert "une gestion en régie est celle d'une collectivité" in str(refus.value.erreurs)
    assert etat() == avant


def test_deux_designations_pour_un_meme_gestionnaire_refusees(registre):
    lignes = [
        nouvelle_ligne(Nom="EVS A", **{"Désignation du gestionnaire": "association"}),
        nouvelle_ligne(Nom="EVS B", Gestionnaire="association du  port", **{"Désignation du gestionnaire": "DSP"}),
    ]
    with pytest.raises(ImportRefuse) as refus:
        importer(csv_de(lignes), departement="94")
    (erreur,) = refus.value.erreurs
    assert erreur["ligne"] == 3 and erreur["champ"] == "Désignation du gestionnaire"
    assert "autre désignation à la ligne 2" in erreur["raison"]
