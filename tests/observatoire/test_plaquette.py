"""The departmental report as a plaquette and the structure portrait in PDF: rendered by WeasyPrint, then every
page's box tree is walked — no text lies beyond the page's content width — and the cover, map and charts are
checked in the laid-out document. One render of each (a few seconds)."""

import datetime
import os
import random
import time
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.comptes.models import Mandat, Role
from maillage.demo.observatoire import valeurs_generees
from maillage.observatoire import services
from maillage.observatoire.models import CommentaireRapport, Statut
from maillage.observatoire.resultats import commentaires, rapports
from maillage.observatoire.services_references import references_importer
from maillage.structures.models import TypeStructure
from maillage.territoires.models import Appartenance, Regroupement
from tests.comptes.factories import MandatFactory, UtilisateurFactory
from tests.conftest import carre
from tests.observatoire.factories import CampagneFactory, ReponseFactory
from tests.structures.factories import StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

from .conftest import SOCLE, THEME

PDF_REQUIS = os.environ.get("MAILLAGE_E2E_REQUIS", "") not in ("", "0")
sans_pango = pytest.mark.skipif(
    not rapports.pdf_disponible() and not PDF_REQUIS,
    reason="WeasyPrint ne peut pas se charger : bibliothèques Pango absentes localement (requises en CI).",
)
# Long names, as in the Val-de-Marne: they wrap in the narrow first column instead of pushing the table out.
NOMS = [
    "Villeneuve-Saint-Georges", "Saint-Maur-des-Fossés", "Champigny-sur-Marne", "Fontenay-sous-Bois",
    "Le Perreux-sur-Marne", "Villiers-sur-Marne", "Boissy-Saint-Léger", "Sucy-en-Brie", "Chennevières-sur-Marne",
    "Ormesson-sur-Marne", "Noiseau", "La Queue-en-Brie", "Le Plessis-Trévise", "Limeil-Brévannes",
    "Valenton", "Villecresnes", "Mandres-les-Roses", "Périgny", "Santeny", "Marolles-en-Brie",
]  # fmt: skip


def valider(campagne, structure, valeurs, statut=Statut.VALIDEE):
    maintenant = timezone.now()
    return ReponseFactory(
        campagne=campagne,
        structure=structure,
        statut=statut,
        valeurs=valeurs,
        soumise_le=None if statut == Statut.BROUILLON else maintenant,
        validee_le=maintenant if statut == Statut.VALIDEE else None,
        verrouillee=statut == Statut.VALIDEE,
    )


def finances(rng, cs: bool) -> dict:
    charges = rng.randint(900_000, 2_400_000) if cs else rng.randint(40_000, 160_000)
    caf, communes, departement, etat = (round(charges * p) for p in (0.18, 0.5, 0.06, 0.04))
    usagers = charges - caf - communes - departement - etat
    return {
        "fin_charges_totales": charges, "fin_produits_totaux": charges, "fin_resultat": 0,
        "fin_produit_caf_ps_agc" if cs else "fin_produit_caf_ps_animation_locale": caf,
        "fin_produit_communes": communes, "fin_produit_departement": departement, "fin_produit_etat": etat,
        "fin_produit_usagers": usagers,
    }  # fmt: skip


@pytest.fixture
def plaquette(territoire_94):
    """A demo-like campaign: 23 communes with long names, 40 validated answers (29 CS, 11 EVS) with the demo's
    orders of magnitude and budgets in millions, 2 still in review, and last year's campaign (N-1)."""
    dep = territoire_94.departement
    communes = list(territoire_94.communes) + [
        CommuneFactory(
            departement=dep, code=f"941{i:02d}", nom=nom, epci=territoire_94.epci,
            geometrie=carre(2.36 + 0.04 * (i % 6), 48.70 - 0.04 * (i // 6)),
            longitude=2.38 + 0.04 * (i % 6), latitude=48.72 - 0.04 * (i // 6),
        )
        for i, nom in enumerate(NOMS)
    ]  # fmt: skip
    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    theme, _ = services.questionnaire_charger(chemin=THEME)
    campagne = CampagneFactory(departement=dep, annee=2016, questionnaire=socle, bloc_thematique=theme)
    precedente = CampagneFactory(departement=dep, annee=2015, questionnaire=socle)
    rng = random.Random(14)
    for i in range(42):
        cs = i < 30
        commune = communes[i % len(communes)]
        structure = StructureFactory(
            nom=f"{'Centre social' if cs else 'Espace de vie sociale'} {commune.nom} {i}",
            type=TypeStructure.CENTRE_SOCIAL if cs else TypeStructure.EVS,
            commune=commune,
            longitude=(commune.longitude or 2.4) + 0.005,
            latitude=(commune.latitude or 48.8) - 0.005,
        )
        valeurs = {**valeurs_generees(structure, rng), **finances(rng, cs)}
        valider(campagne, structure, valeurs, Statut.SOUMISE if i in (7, 35) else Statut.VALIDEE)
        if i % 3 == 0:
            valider(precedente, structure, {"pub_personnes": 900, "fin_charges_totales": 1_000_000})
    return SimpleNamespace(campagne=campagne, precedente=precedente, dep=dep, communes=communes)


# --- The box tree ----------------------------------------------------------------------------------------


def boites(document):
    """Per page: (page, [(box, limit)]) of every text and replaced box (images, SVG), with the right edge it must
    not pass: the content width, or the page width for the margin boxes (footer)."""
    from weasyprint.formatting_structure import boxes

    for page in document.pages:
        racine = page._page_box
        droite = racine.content_box_x() + racine.width
        trouvees = []
        for enfant in racine.children:
            limite = page.width if isinstance(enfant, boxes.MarginBox) else droite
            for boite in enfant.descendants():
                if isinstance(boite, (boxes.TextBox, boxes.ReplacedBox)):
                    trouvees.append((boite, limite, isinstance(enfant, boxes.MarginBox)))
        yield page, trouvees


def verifier_mise_en_page(document, *, remplissage_min=0.4):
    """No text or image beyond the content width (nor beyond the page); no near-empty page but the last."""
    from weasyprint.formatting_structure import boxes

    debordements, remplissages = [], []
    for numero, (page, trouvees) in enumerate(boites(document), 1):
        bas = 0
        for boite, limite, marge in trouvees:
            bord = boite.content_box_x() + boite.width
            assert bord <= page.width + 0.01, f"page {numero} : texte hors de la page"
            if bord > limite + 0.01:
                texte = boite.text if isinstance(boite, boxes.TextBox) else type(boite).__name__
                debordements.append(f"page {numero} : « {texte} » déborde de {bord - limite:.1f} px")
            if not marge:
                bas = max(bas, boite.content_box_y() + boite.height)
        remplissages.append(bas / page.height)
    assert not debordements, "\n".join(debordements)
    vides = [i + 1 for i, r in enumerate(remplissages[:-1]) if r < remplissage_min]
    assert not vides, f"pages presque vides : {vides} ({[round(r, 2) for r in remplissages]})"


def texte_page(page_et_boites) -> str:
    from weasyprint.formatting_structure import boxes

    _, trouvees = page_et_boites
    return " ".join(b.text for b, _, _ in trouvees if isinstance(b, boxes.TextBox))


def svg_par_page(document) -> list[int]:
    from weasyprint.formatting_structure import boxes

    return [sum(isinstance(b, boxes.ReplacedBox) for b, _, _ in trouvees) for _, trouvees in boites(document)]


@sans_pango
def test_plaquette_tient_dans_la_page_avec_couverture_carte_et_graphiques(plaquette):
    import weasyprint

    campagne = plaquette.campagne
    editorial = "Une année de consolidation. " + "Les structures ont accueilli plus de familles. " * 11
    assert len(editorial) <= commentaires.LONGUEURS["editorial"]  # the longest the form accepts
    CommentaireRapport.objects.create(campagne=campagne, section="editorial", texte=editorial)
    CommentaireRapport.objects.create(campagne=campagne, section="financements", texte="Les communes restent le "
                                      "premier financeur des structures du département.")  # fmt: skip
    # Published references imported from a file (the nearest earlier year for the national one), and two EPT:
    # the plaquette puts the département's figures beside them and aggregates by EPT.
    fichier = (
        "indicateur;annee;niveau;territoire;valeur;source;url\n"
        f"benevoles_moyenne;{campagne.annee - 1};national;;24;SENACS, rapport national;\n"
        f"benevoles_moyenne;{campagne.annee};regional;11;13;SENACS Île-de-France;\n"
    )
    references_importer(contenu=fichier.encode(), nom_fichier="reperes.csv")
    debut_ept = datetime.date(2016, 1, 1)
    for siren, nom, communes in (("200058006", "Grand Paris Sud Est Avenir", ["94028"]),
                                 ("200058014", "Grand-Orly Seine Bièvre", ["94081", "94041"])):  # fmt: skip
        ept = Regroupement.objects.create(type="ept", code=siren, nom=nom, debut=debut_ept)
        for code in communes:
            Appartenance.objects.create(regroupement=ept, commune_id=code, debut=debut_ept)
    contexte = rapports.contexte_plaquette(campagne)
    html = render_to_string("observatoire/resultats/rapport_pdf.html", contexte)
    debut = time.monotonic()
    document = weasyprint.HTML(string=html).render()
    assert time.monotonic() - debut < 20

    verifier_mise_en_page(document)
    pages = list(boites(document))
    couverture = texte_page(pages[0])
    for attendu in ("Val-de-Marne", "Taux de réponse", "100,0 %", "42 réponses reçues sur 42", "Personnes touchées",
                    "Bénévoles", "Salariés en ETP",
                    "Budget total", "Part de la Caf dans les produits", "18,0 %", "29 centres sociaux, 11 EVS",
                    "Une année de consolidation."):  # fmt: skip
        assert attendu in couverture.replace("\u202f", " ").replace("\u00a0", " "), attendu
    assert "par rapport à 2015" in couverture  # N-1 exists: evolutions shown
    # The cover's flow (editorial, key figures, contents) ends above its footer.
    textes = [b for b, _, _ in pages[0][1] if hasattr(b, "text")]
    sommaire = max(b.content_box_y() + b.height for b in textes if b.text.startswith("Sources et méthode"))
    pied = min((b.content_box_y() for b in textes if b.text.startswith("Chiffres des réponses")), default=None)
    assert pied is not None, [b.text for b in textes if len(b.text) > 3][-8:]
    assert sommaire < pied
    # The map (one SVG with a dot per validated answer) and the charts are laid out as images.
    assert contexte["carte"]["svg"].count("<circle") == 40
    assert set(contexte["graphiques"]) >= {"ages", "benevolat", "financeurs", "partenariat_commune",
                                           "themes_actions", "enjeux"}  # fmt: skip
    assert sum(svg_par_page(document)) == 1 + len(contexte["graphiques"])
    tout = " ".join(texte_page(p) for p in pages)
    for attendu in ("Les structures sur le territoire", "Publics", "Financements", "Partenariats",
                    "Les communes restent le premier financeur", "Total 2015", "Évolution", "Sources et méthode",
                    "face aux repères publiés", "SENACS, rapport national", "SENACS Île-de-France",
                    "(pas de chiffre 2016)", "Par EPT", "Grand-Orly Seine Bièvre", "Hors périmètre", "Villeneuve-",
                    "(bloquante)"):  # fmt: skip
        assert attendu in tout, attendu
    assert [ligne["libelle"] for ligne in contexte["references"]] == ["Bénévoles par structure (moyenne)"]
    assert contexte["references"][0]["observee"] is not None  # the département's own value beside them
    dernier = texte_page(pages[-1])
    assert "Sources et méthode" in dernier and "règles de cohérence" in dernier


def test_sans_campagne_precedente_pas_de_colonne_n1(plaquette, settings):
    plaquette.precedente.reponses.all().delete()
    plaquette.precedente.delete()
    settings.MAILLAGE_DEMO = True
    html = render_to_string("observatoire/resultats/rapport_pdf.html", rapports.contexte_plaquette(plaquette.campagne))
    assert "Total 2015" not in html and "Évolution" not in html and "par rapport à" not in html
    assert "aucune évolution n'est calculée" in html
    assert "Repères publiés" not in html  # no reference figures given: no empty block
    assert "Démonstration : les structures, leurs réponses et leurs montants sont fictifs" in html


def test_xlsx_sans_colonnes_n1_vides(plaquette):
    import io

    from openpyxl import load_workbook

    lire = lambda: {  # noqa: E731
        ligne[0]: ligne for ligne in load_workbook(io.BytesIO(rapports.rapport_xlsx(plaquette.campagne)))[
            "Ensemble"].iter_rows(values_only=True)
    }  # fmt: skip
    avec = lire()
    assert avec["Indicateur"][-2:] == ("Total 2015", "Évolution du total")
    assert avec["Personnes touchées"][-2] == 900 * 14
    plaquette.precedente.reponses.all().delete()
    plaquette.precedente.delete()
    sans = lire()
    assert sans["Indicateur"] == ("Indicateur", "Structures répondantes", "Total", "Moyenne", "Médiane")


@sans_pango
def test_portrait_pdf_tient_dans_la_page(plaquette, client):
    import weasyprint

    reponse = plaquette.campagne.reponses.filter(statut=Statut.VALIDEE).order_by("pk").first()
    html = render_to_string("observatoire/resultats/portrait_pdf.html", rapports.contexte_portrait(reponse))
    debut = time.monotonic()
    document = weasyprint.HTML(string=html).render()
    assert time.monotonic() - debut < 20
    verifier_mise_en_page(document)
    texte = " ".join(texte_page(p) for p in boites(document))
    assert reponse.structure.nom in texte and "Médiane du" in texte and "Personnes touchées" in texte
    assert sum(svg_par_page(document)) == 1  # the publics chart

    # The web route: the portrait's readers only.
    adresse = reverse("observatoire:portrait_pdf", args=[2016, reponse.structure_id])
    assert client.get(adresse).status_code in (302, 403)
    client.force_login(UtilisateurFactory(role=Role.STRUCTURE, departements=[plaquette.dep],
                                          structure=StructureFactory(commune=plaquette.communes[0])))  # fmt: skip
    assert client.get(adresse).status_code == 403
    client.force_login(UtilisateurFactory(role=Role.PILOTE, departements=[plaquette.dep]))
    fichier = client.get(adresse)
    assert fichier.status_code == 200 and fichier.content.startswith(b"%PDF")


# --- Commentaries ----------------------------------------------------------------------------------------


@pytest.fixture
def comptes(plaquette):
    dep = plaquette.dep
    mandat = MandatFactory(nature=Mandat.Nature.CORRESPONDANT_OBSERVATOIRE, organisation__departement=dep)
    return SimpleNamespace(
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        correspondant=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep], organisation=mandat.organisation),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep], communes=[plaquette.communes[0]]),
        structure=UtilisateurFactory(
            role=Role.STRUCTURE, departements=[dep], structure=StructureFactory(commune=plaquette.communes[0])
        ),  # fmt: skip
        pilote93=UtilisateurFactory(
            role=Role.PILOTE, departements=[DepartementFactory(code="93", nom="Seine-Saint-Denis")]
        ),
    )


def url_commentaires(campagne):
    return reverse("observatoire:commentaires_rapport", args=[campagne.annee, campagne.departement_id])


def test_commentaires_reserves_au_pilote_et_au_correspondant(client, plaquette, comptes):
    adresse = url_commentaires(plaquette.campagne)
    assert client.get(adresse).status_code in (302, 403)
    for user in (comptes.partenaire, comptes.conseiller, comptes.structure, comptes.pilote93):
        client.force_login(user)
        assert client.get(adresse).status_code == 403
        assert client.post(adresse, {"editorial": "Intrus"}).status_code == 403
    assert not CommentaireRapport.objects.exists()
    for user, texte in ((comptes.pilote, "Le mot de la Caf."), (comptes.correspondant, "Le mot de la fédération.")):
        client.force_login(user)
        assert client.get(adresse).status_code == 200
        assert client.post(adresse, {"editorial": texte, "publics": ""}).status_code == 302
        commentaire = CommentaireRapport.objects.get(campagne=plaquette.campagne, section="editorial")
        assert commentaire.texte == texte and commentaire.auteur == user
    # The synthesis page offers the form to those who may write.
    synthese = reverse("observatoire:synthese", args=[2016, plaquette.dep.code])
    assert adresse in client.get(synthese).content.decode()
    client.force_login(comptes.partenaire)
    assert adresse not in client.get(synthese).content.decode()


def test_commentaires_figes_a_la_publication_et_audites(client, plaquette, comptes):
    from auditlog.models import LogEntry

    campagne = plaquette.campagne
    commentaires.commentaires_enregistrer(par=comptes.pilote, campagne=campagne, textes={"themes": "Premier jet"})
    commentaires.commentaires_enregistrer(par=comptes.pilote, campagne=campagne, textes={"themes": "  "})
    assert not CommentaireRapport.objects.filter(section="themes").exists()  # emptied: removed
    assert LogEntry.objects.get_for_model(CommentaireRapport).count() == 2  # created, deleted
    with pytest.raises(Exception, match="Section inconnue"):
        commentaires.commentaires_enregistrer(par=comptes.pilote, campagne=campagne, textes={"x": "y", "carte": "z"})
    assert not CommentaireRapport.objects.exists()  # nothing half-written
    commentaires.commentaires_enregistrer(par=comptes.pilote, campagne=campagne, textes={"carte": "Avant"})
    services.campagne_publier(par=comptes.pilote, campagne=campagne)
    client.force_login(comptes.pilote)
    page = client.get(url_commentaires(campagne)).content.decode()
    assert "figés" in page and "disabled" in page
    client.post(url_commentaires(campagne), {"carte": "Après"})
    assert CommentaireRapport.objects.get(section="carte").texte == "Avant"
    with pytest.raises(Exception, match="figés"):
        commentaires.commentaires_enregistrer(par=comptes.pilote, campagne=campagne, textes={"carte": "Après"})
    with pytest.raises(Exception, match="ne pouvez pas"):
        commentaires.commentaires_enregistrer(par=comptes.partenaire, campagne=campagne, textes={"carte": "x"})
    # The published synthesis page shows them too, under their section's title.
    client.logout()
    page = client.get(reverse("observatoire:synthese", args=[campagne.annee, campagne.departement_id])).content
    assert "Commentaires du rapport" in page.decode() and "Les structures sur le territoire</h3>" in page.decode()
    assert "<p>Avant</p>" in page.decode()


def test_un_commentaire_change_l_empreinte_du_rapport(plaquette, comptes):
    avant = rapports.empreinte_donnees(plaquette.campagne)
    commentaires.commentaires_enregistrer(par=comptes.pilote, campagne=plaquette.campagne, textes={"carte": "Texte"})
    assert rapports.empreinte_donnees(plaquette.campagne) != avant


@sans_pango
def test_petite_campagne_sans_page_presque_vide(territoire_94):
    """Three structures: the short tables follow each other instead of one per page."""
    import weasyprint

    socle, _ = services.questionnaire_charger(chemin=SOCLE)
    campagne = CampagneFactory(departement=territoire_94.departement, annee=2016, questionnaire=socle)
    rng = random.Random(3)
    for i, commune in enumerate(territoire_94.communes):
        structure = StructureFactory(nom=f"Centre social {i}", commune=commune)
        valider(campagne, structure, {**valeurs_generees(structure, rng), **finances(rng, True)})
    html = render_to_string("observatoire/resultats/rapport_pdf.html", rapports.contexte_plaquette(campagne))
    document = weasyprint.HTML(string=html).render()
    verifier_mise_en_page(document)
    assert len(document.pages) <= 6
