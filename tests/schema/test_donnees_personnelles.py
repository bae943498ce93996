"""The schéma's personal data in the registry: a referent's comments, typed values, memberships exported; on
erasure their name leaves the comments, which stay (the schéma's history)."""

import pytest

from maillage.comptes.models import Role
from maillage.core import donnees_personnelles as registre
from maillage.schema import services
from maillage.schema.models import CommentaireAction
from tests.comptes.factories import UtilisateurFactory
from tests.schema.factories import FicheActionFactory, InstanceFactory, ReunionFactory

pytestmark = pytest.mark.django_db


def test_export_et_effacement_d_un_referent():
    fiche = FicheActionFactory()
    personne = UtilisateurFactory(
        email="referente@exemple.fr", first_name="Inès", last_name="Durand", role=Role.CONSEILLER,
        departements=[fiche.schema.departement],
    )  # fmt: skip
    fiche.referents.add(personne)
    instance = InstanceFactory(schema=fiche.schema)
    instance.membres.add(personne)
    ReunionFactory(instance=instance).presents.add(personne)
    services.fiche_mettre_a_jour(par=personne, fiche=fiche, avancement=70, commentaire="Deux ateliers tenus")

    donnees = registre.exporter("Referente@exemple.fr")["schema"]["donnees"]
    assert {d["type"] for d in donnees} == {
        "commentaire d'une fiche action", "référent d'une fiche action", "membre d'une instance",
        "présent à une réunion",
    }  # fmt: skip
    assert "Inès Durand" in next(d["auteur_affiche"] for d in donnees if d["type"].startswith("commentaire"))
    assert registre.departements("referente@exemple.fr") >= {fiche.schema.departement_id}

    registre.effacer("referente@exemple.fr")
    commentaire = CommentaireAction.objects.get(fiche=fiche)
    assert commentaire.texte == "Deux ateliers tenus"
    assert commentaire.auteur_libelle == registre.EFFACE
    assert "Durand" not in str(commentaire.auteur)
