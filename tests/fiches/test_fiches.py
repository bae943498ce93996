"""Fiches expérience: a structure writes and proposes, the pilote publishes to the network or the public."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maillage.comptes.models import Role
from maillage.core.versions import ConflitVersion
from maillage.fiches import services as services_fiches
from maillage.fiches.models import FicheExperience
from tests.comptes.factories import UtilisateurFactory
from tests.conftest import enregistrer_deux_fois, message_conflit
from tests.structures.factories import StructureFactory
from tests.territoires.factories import CommuneFactory, DepartementFactory

Statut = FicheExperience.Statut
DONNEES = {
    "titre": "Un café des parents",
    "theme": "familles_parentalite",
    "public_concerne": "Parents du quartier",
    "partenaires": "École",
    "moyens": "Une animatrice",
    "resultats": "20 parents réguliers",
    "limites": "Peu de pères",
}


@pytest.fixture
def jeu(territoire_94):
    creteil, vitry, _ = territoire_94.communes
    dep = territoire_94.departement
    dep_93 = DepartementFactory(code="93", nom="Seine-Saint-Denis", region=territoire_94.region)
    cs = StructureFactory(nom="Centre social des Bleuets", commune=creteil)
    evs = StructureFactory(nom="EVS de Vitry", type="evs", commune=vitry)
    bobigny = StructureFactory(nom="Centre de Bobigny", commune=CommuneFactory(departement=dep_93))
    return SimpleNamespace(
        dep=dep,
        cs=cs,
        evs=evs,
        bobigny=bobigny,
        pilote=UtilisateurFactory(role=Role.PILOTE, departements=[dep]),
        pilote93=UtilisateurFactory(role=Role.PILOTE, departements=[dep_93]),
        conseiller=UtilisateurFactory(role=Role.CONSEILLER, departements=[dep], communes=[creteil]),
        partenaire=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep]),
        partenaire93=UtilisateurFactory(role=Role.PARTENAIRE, departements=[dep_93]),
        compte_cs=UtilisateurFactory(role=Role.STRUCTURE, structure=cs, departements=[dep]),
        compte_evs=UtilisateurFactory(role=Role.STRUCTURE, structure=evs, departements=[dep]),
    )


def test_workflow_complet(jeu):
    fiche = services_fiches.fiche_creer(par=jeu.compte_cs, structure=jeu.cs, donnees=DONNEES)
    assert fiche.statut == Statut.BROUILLON and fiche.auteur == jeu.compte_cs
    fiche = services_fiches.fiche_modifier(par=jeu.compte_cs, fiche=fiche, donnees={**DONNEES, "titre": " Café "})
    assert fiche.titre == "Café"
    with pytest.raises(ValidationError, match="pas encore été proposé"):
        services_fiches.fiche_publier(par=jeu.pilote, fiche=fiche, portee="public")
    fiche = services_fiches.fiche_proposer(par=jeu.compte_cs, fiche=fiche)
    assert fiche.statut == Statut.PROPOSEE and fiche.proposee_le
    fiche = services_fiches.fiche_publier(par=jeu.pilote, fiche=fiche, portee="reseau")
    assert fiche.statut == Statut.PUBLIEE_RESEAU and fiche.publiee_par == jeu.pilote
    with pytest.raises(ValidationError, match="seul le pilote"):
        services_fiches.fiche_modifier(par=jeu.compte_cs, fiche=fiche, donnees=DONNEES)
    fiche = services_fiches.fiche_publier(par=jeu.pilote, fiche=fiche, portee="public")
    assert fiche.statut == Statut.PUBLIEE_PUBLIC
    fiche = services_fiches.fiche_retirer(par=jeu.pilote, fiche=fiche)
    assert fiche.statut == Statut.PROPOSEE and fiche.publiee_le is None


def test_validation(jeu):
    with pytest.raises(ValidationError) as erreur:
        services_fiches.fiche_creer(
            par=jeu.compte_cs, structure=jeu.cs, donnees={**DONNEES, "titre": " ", "theme": "x"}
        )
    assert erreur.value.message_dict == {
        "titre": ["Donnez un titre à la fiche."],
        "theme": ["Choisissez un thème de la liste."],
    }
    assert not FicheExperience.objects.exists()


@pytest.mark.parametrize("qui", ["compte_evs", "conseiller", "partenaire", "pilote93"])
def test_creation_refusee(jeu, qui):
    with pytest.raises(PermissionDenied):
        services_fiches.fiche_creer(par=getattr(jeu, qui), structure=jeu.cs, donnees=DONNEES)
    assert not FicheExperience.objects.exists()


@pytest.mark.parametrize("qui", ["compte_cs", "compte_evs", "conseiller", "partenaire", "pilote93"])
def test_publication_refusee(jeu, qui):
    fiche = FicheExperience.objects.create(structure=jeu.cs, statut=Statut.PROPOSEE, **DONNEES)
    with pytest.raises(PermissionDenied):
        services_fiches.fiche_publier(par=getattr(jeu, qui), fiche=fiche, portee="public")
    fiche.refresh_from_db()
    assert fiche.statut == Statut.PROPOSEE


def fiches(jeu):
    import datetime

    from django.utils import timezone

    maintenant = timezone.now() - datetime.timedelta(days=1)
    creer = FicheExperience.objects.create
    return SimpleNamespace(
        brouillon=creer(structure=jeu.cs, statut=Statut.BROUILLON, **{**DONNEES, "titre": "Brouillon CS"}),
        reseau=creer(
            structure=jeu.cs, statut=Statut.PUBLIEE_RESEAU, publiee_le=maintenant, **{**DONNEES, "titre": "Réseau CS"}
        ),
        public=creer(
            structure=jeu.evs,
            statut=Statut.PUBLIEE_PUBLIC,
            publiee_le=maintenant,
            **{**DONNEES, "titre": "Public EVS", "theme": "numerique"},
        ),
        bobigny=creer(
            structure=jeu.bobigny,
            statut=Statut.PUBLIEE_RESEAU,
            publiee_le=maintenant,
            **{**DONNEES, "titre": "Réseau 93"},
        ),
    )


def titres(reponse):
    return {f.titre for f in reponse.context["page"].object_list}


def test_liste_selon_le_visiteur(jeu, client):
    fiches(jeu)
    url = reverse("observatoire:fiches")
    assert titres(client.get(url)) == {"Public EVS"}
    client.force_login(jeu.partenaire)
    assert titres(client.get(url)) == {"Public EVS", "Réseau CS"}
    client.force_login(jeu.compte_cs)
    assert titres(client.get(url)) == {"Public EVS", "Réseau CS", "Brouillon CS"}
    client.force_login(jeu.compte_evs)
    assert titres(client.get(url)) == {"Public EVS", "Réseau CS"}
    client.force_login(jeu.pilote)
    assert titres(client.get(url)) == {"Public EVS", "Réseau CS", "Brouillon CS"}
    assert titres(client.get(url, {"theme": "numerique"})) == {"Public EVS"}
    assert titres(client.get(url, {"type": "centre_social"})) == {"Réseau CS", "Brouillon CS"}
    assert titres(client.get(url, {"commune": jeu.evs.commune_id})) == {"Public EVS"}
    client.force_login(jeu.pilote93)
    assert titres(client.get(url)) == {"Public EVS", "Réseau 93"}


def test_liste_requetes_constantes(jeu, client, django_assert_max_num_queries):
    for i in range(15):
        FicheExperience.objects.create(structure=jeu.cs, statut=Statut.PROPOSEE, **{**DONNEES, "titre": f"F{i}"})
    client.force_login(jeu.pilote)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("observatoire:fiches")).status_code == 200


def test_detail_refus(jeu, client):
    f = fiches(jeu)
    assert client.get(reverse("observatoire:fiche", args=[f.public.pk])).status_code == 200
    reponse = client.get(reverse("observatoire:fiche", args=[f.reseau.pk]))
    assert reponse.status_code == 302 and "connexion" in reponse.url
    client.force_login(jeu.partenaire93)
    assert client.get(reverse("observatoire:fiche", args=[f.reseau.pk])).status_code == 403
    client.force_login(jeu.compte_evs)
    assert client.get(reverse("observatoire:fiche", args=[f.brouillon.pk])).status_code == 403
    assert client.get(reverse("observatoire:fiche_modifier", args=[f.reseau.pk])).status_code == 403
    client.force_login(jeu.partenaire)
    assert client.get(reverse("observatoire:fiche", args=[f.reseau.pk])).status_code == 200
    assert client.get(reverse("observatoire:fiche_creer")).status_code == 403
    assert client.get(reverse("observatoire:fiche", args=[999999])).status_code == 404


def test_pages_creer_proposer_publier(jeu, client):
    client.force_login(jeu.compte_cs)
    reponse = client.post(reverse("observatoire:fiche_creer"), {**DONNEES, "theme": ""})
    assert reponse.status_code == 200 and not FicheExperience.objects.exists()
    assert 'aria-describedby="id_theme_helptext id_theme_error"' in reponse.content.decode() or "id_theme_error" in (
        reponse.content.decode()
    )
    reponse = client.post(reverse("observatoire:fiche_creer"), DONNEES)
    fiche = FicheExperience.objects.get()
    assert reponse.status_code == 302 and fiche.structure == jeu.cs
    client.post(reverse("observatoire:fiche_proposer", args=[fiche.pk]))
    fiche.refresh_from_db()
    assert fiche.statut == Statut.PROPOSEE
    assert client.post(reverse("observatoire:fiche_publier", args=[fiche.pk]), {"portee": "public"}).status_code == 403
    client.force_login(jeu.pilote)
    client.post(reverse("observatoire:fiche_publier", args=[fiche.pk]), {"portee": "public"})
    fiche.refresh_from_db()
    assert fiche.statut == Statut.PUBLIEE_PUBLIC
    client.logout()
    assert "Un café des parents" in client.get(reverse("observatoire:fiche", args=[fiche.pk])).content.decode()
    assert client.post(reverse("observatoire:fiche_publier", args=[fiche.pk]), {"portee": "retirer"}).status_code == 302
    fiche.refresh_from_db()
    assert fiche.statut == Statut.PUBLIEE_PUBLIC


def test_pilote_cree_pour_une_structure_de_son_departement(jeu, client):
    client.force_login(jeu.pilote)
    reponse = client.post(reverse("observatoire:fiche_creer"), {**DONNEES, "structure": jeu.bobigny.pk})
    assert reponse.status_code == 200 and not FicheExperience.objects.exists()
    client.post(reverse("observatoire:fiche_creer"), {**DONNEES, "structure": jeu.evs.pk})
    assert FicheExperience.objects.get().structure == jeu.evs


def test_fiche_modifiee_par_deux_le_second_refuse(jeu):
    fiche = services_fiches.fiche_creer(par=jeu.compte_cs, structure=jeu.cs, donnees=DONNEES)
    url = reverse("observatoire:fiche_modifier", args=[fiche.pk])
    reponse = enregistrer_deux_fois(
        url,
        (jeu.pilote, {**DONNEES, "resultats": "25 parents réguliers"}),
        (jeu.compte_cs, {**DONNEES, "limites": "Peu de pères, horaires"}),
    )
    assert "« 20 parents réguliers » → « 25 parents réguliers »" in message_conflit(reponse)
    fiche.refresh_from_db()
    assert (fiche.resultats, fiche.limites, fiche.version) == ("25 parents réguliers", "Peu de pères", 2)


def test_fiche_verification_atomique(jeu):
    """Two saves of the same version: the first wins, the second is refused; a proposal between counts too."""
    fiche = services_fiches.fiche_creer(par=jeu.compte_cs, structure=jeu.cs, donnees=DONNEES)
    services_fiches.fiche_modifier(par=jeu.compte_cs, fiche=fiche, donnees={**DONNEES, "titre": "A"}, version=1)
    with pytest.raises(ConflitVersion):
        services_fiches.fiche_modifier(
            par=jeu.pilote, fiche=FicheExperience.objects.get(pk=fiche.pk), donnees={**DONNEES, "titre": "B"}, version=1
        )
    services_fiches.fiche_proposer(par=jeu.compte_cs, fiche=FicheExperience.objects.get(pk=fiche.pk))
    with pytest.raises(ConflitVersion, match="Statut"):
        services_fiches.fiche_modifier(
            par=jeu.pilote, fiche=FicheExperience.objects.get(pk=fiche.pk), donnees={**DONNEES, "titre": "C"}, version=2
        )
    assert FicheExperience.objects.get(pk=fiche.pk).titre == "A"
