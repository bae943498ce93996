"""Uploaded files on S3-compatible object storage: the settings read from the environment, and the storage API."""

import subprocess
import sys

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_les_fichiers_vont_dans_le_bucket(stockage_s3):
    nom = default_storage.save("essais/bonjour.txt", ContentFile(b"bonjour"))
    assert nom in stockage_s3.objets()
    with default_storage.open(nom, "rb") as fichier:
        assert fichier.read() == b"bonjour"
    assert default_storage.exists(nom)
    default_storage.delete(nom)
    assert stockage_s3.objets() == []


def test_un_nom_deja_pris_n_ecrase_rien(stockage_s3):
    premier = default_storage.save("essais/a.txt", ContentFile(b"1"))
    second = default_storage.save("essais/a.txt", ContentFile(b"2"))
    assert premier != second
    assert sorted(stockage_s3.objets()) == sorted([premier, second])


def test_les_variables_d_environnement_choisissent_le_stockage_objet(serveur_s3, tmp_path):
    bucket = serveur_s3.creer_bucket()
    env = {"DEBUG": "1", "PATH": "/usr/bin:/bin", **serveur_s3.environnement(bucket)}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'maillage.settings'); django.setup();"
        "from django.core.files.storage import storages; from django.core.files.base import ContentFile;"
        "s = storages['default']; print(type(s).__name__);"
        "print(s.save('a/b.txt', ContentFile(b'x')))"
    )
    sortie = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert sortie.stdout.split() == ["StockageObjetPrive", "a/b.txt"]
    assert serveur_s3.objets(bucket) == ["a/b.txt"]
