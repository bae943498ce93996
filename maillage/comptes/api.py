"""API of accounts: the current user (session authentication)."""

import datetime

from ninja import Router, Schema
from ninja.security import django_auth

from maillage.core.schemas import erreurs
from maillage.territoires.api import CodeNom

from . import selectors
from .models import Role

router = Router(tags=["Comptes"])


class OrganisationOut(Schema):
    id: int
    nom: str
    type: str
    departement: str


class MandatOut(Schema):
    nature: str
    departement: str
    debut: datetime.date
    fin: datetime.date | None


class MoiOut(Schema):
    email: str
    nom: str
    prenom: str
    nom_de_famille: str
    role: str
    role_libelle: str
    organisme: str
    organisation: OrganisationOut | None
    mandats: list[MandatOut]
    departements: list[CodeNom]
    communes: list[CodeNom]


@router.get(
    "/moi",
    response={200: MoiOut, **erreurs(401)},
    auth=django_auth,
    url_name="comptes_moi",
    summary="Le compte connecté : rôle et périmètre",
    description="Nécessite une session ouverte (connexion au site) ; sinon 401. `organisation` : celle du compte "
    "(ou null) ; `mandats` : ses mandats en cours (partenaires : correspondant observatoire, co-financeur).",
)
def moi(request):
    user = selectors.profil(request.auth)
    return {
        "email": user.email,
        "nom": user.get_full_name(),
        "prenom": user.first_name,
        "nom_de_famille": user.last_name,
        "role": user.role,
        "role_libelle": user.get_role_display(),
        "organisme": user.organisme,
        "organisation": (
            {
                "id": user.organisation.pk,
                "nom": user.organisation.nom,
                "type": user.organisation.type,
                "departement": user.organisation.departement_id,
            }
            if user.organisation
            else None
        ),
        "mandats": [
            {"nature": m.nature, "departement": m.departement_id, "debut": m.debut, "fin": m.fin}
            for m in (selectors.mandats_en_cours_du_compte(user) if user.role == Role.PARTENAIRE else [])
        ],
        "departements": [{"code": d.code, "nom": d.nom} for d in user.departements.all()],
        "communes": [{"code": c.code, "nom": c.nom} for c in user.communes.all()],
    }
