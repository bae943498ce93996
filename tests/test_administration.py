"""Every page of the Django admin opens: the list and the add page of each registered model and, for each model
that a test factory builds (directly or as a related object), the change page of one object. Read-only admins
build their forms and inlines too, so a field they name wrongly fails here, not in production."""

import importlib
import inspect
from pathlib import Path

import factory
import pytest
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import reverse

from maillage.comptes.models import Role
from tests.comptes.factories import UtilisateurFactory


def _fabriques() -> dict:
    """{model: factory} from every `tests/<app>/factories.py`."""
    fabriques = {}
    for chemin in sorted(Path(__file__).parent.glob("*/factories.py")):
        module = importlib.import_module(f"tests.{chemin.parent.name}.factories")
        for _, classe in inspect.getmembers(module, inspect.isclass):
            if classe.__module__ == module.__name__ and issubclass(classe, factory.django.DjangoModelFactory):
                fabriques.setdefault(classe._meta.model, classe)
    return fabriques


def _construire(fabrique):
    """One object, reusing the related objects already built (campaigns are unique per département and year)."""
    lies = {}
    for nom, declaration in fabrique._meta.declarations.items():
        if isinstance(declaration, factory.SubFactory):
            sous_fabrique = declaration.get_factory()
            lies[nom] = sous_fabrique._meta.model._default_manager.first() or _construire(sous_fabrique)
    return fabrique(**lies)


def _url(modele, page: str, *args) -> str:
    return reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{page}", args=args)


@pytest.mark.django_db
def test_chaque_page_d_administration_s_ouvre(client):
    fabriques = _fabriques()
    for modele, fabrique in fabriques.items():
        if not modele._default_manager.exists():
            _construire(fabrique)
    client.force_login(UtilisateurFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))

    echecs, ouvertes = [], set()
    for modele in admin.site._registry:
        nom = modele._meta.label
        if (code := client.get(_url(modele, "changelist")).status_code) != 200:
            echecs.append(f"{nom} liste : {code}")
        if (code := client.get(_url(modele, "add")).status_code) not in (200, 403):  # 403: read-only admin
            echecs.append(f"{nom} ajout : {code}")
        objet = modele._default_manager.first()
        if objet is None:
            continue
        # Every file field filled (factories leave optional ones empty): a link to the file shows how it is served.
        fichiers = {f.name: "essai/document.pdf" for f in modele._meta.fields if isinstance(f, models.FileField)}
        if fichiers:
            modele._default_manager.filter(pk=objet.pk).update(**fichiers)
        reponse = client.get(_url(modele, "change", objet.pk))
        if reponse.status_code != 200:
            echecs.append(f"{nom} fiche {objet.pk} : {reponse.status_code}")
        elif f'href="{settings.MEDIA_URL}'.encode() in reponse.content:
            # Files are private and MEDIA_URL is not served: a file is reached through its app's checked view.
            echecs.append(f"{nom} fiche {objet.pk} : lien direct vers le stockage ({settings.MEDIA_URL})")
        ouvertes.add(modele)

    assert echecs == []
    manquantes = {m._meta.label for m in fabriques if m in admin.site._registry} - {m._meta.label for m in ouvertes}
    assert manquantes == set()
