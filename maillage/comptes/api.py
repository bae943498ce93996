"""API of accounts: the current user (session authentication)."""

from ninja import Router, Schema
from ninja.security import django_auth

from maillage.core.schemas import erreurs
from maillage.territoires.api import CodeNom

from . import selectors

router = Router(tags=["Comptes"])


class MoiOut(Schema):
    email: str
    nom: str
    prenom: str
    nom_de_famille: str
    role: str
    role_libelle: str
    organisme: str
    departements: list[CodeNom]
    communes: list[CodeNom]


@router.get(
    "/moi",
    response={200: MoiOut, **erreurs(401)},
    auth=django_auth,
    url_name="comptes_moi",
    summary="Le compte connecté : rôle et périmètre",
    description="Nécessite une session ouverte (connexion au site) ; sinon 401.",
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
        "departements": [{"code": d.code, "nom": d.nom} for d in user.departements.all()],
        "communes": [{"code": c.code, "nom": c.nom} for c in user.communes.all()],
    }
