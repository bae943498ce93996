"""Registration is where a crowd arrives at once: 200 concurrent registrations for 100 places give exactly 100
confirmed and 100 on the waiting list, with no error, on the database the suite runs on (PostgreSQL or SQLite).

Real concurrency needs real connections: the check runs in a subprocess, on a fresh file base (SQLite) or a fresh
database of the same server (PostgreSQL), with 40 threads each registering 5 people at once."""

import json
import os
import subprocess
import sys
import textwrap
import uuid

import pytest
from django.conf import settings
from django.db import connection

INSCRIPTIONS = 200
PLACES = 100
FILS = 40

SCRIPT = textwrap.dedent(
    """
    import datetime, json, sys, threading

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from maillage.reseau import services
    from maillage.reseau.models import Evenement, Inscription
    from maillage.territoires.models import Departement, Region

    inscriptions, places, fils = (int(a) for a in sys.argv[1:4])
    region = Region.objects.create(code="11", nom="Île-de-France")
    dep = Departement.objects.create(code="94", nom="Val-de-Marne", region=region)
    debut = timezone.now() + datetime.timedelta(days=30)
    ev = Evenement.objects.create(
        departement=dep, titre="Journée", statut="publie", acces="public", debut=debut,
        fin=debut + datetime.timedelta(hours=8), capacite=places,
    )
    connections.close_all()
    erreurs, depart = [], threading.Barrier(fils)
    par_fil = inscriptions // fils

    def inscrire(n):
        depart.wait()
        for i in range(par_fil):
            try:
                services.inscription_creer(
                    evenement=ev, nom=f"Personne {n}-{i}", email=f"p{n}-{i}@exemple.fr", categorie="association"
                )
                # The same e-mail again at once (a double click): the existing registration, no second one.
                if i == 0:
                    services.inscription_creer(evenement=ev, nom=f"Personne {n}-{i}", email=f"P{n}-{i}@exemple.fr ")
            except Exception as erreur:
                erreurs.append(repr(erreur))
        connections.close_all()

    threads = [threading.Thread(target=inscrire, args=(n,)) for n in range(fils)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuts = {s: Inscription.objects.filter(statut=s).count() for s in ("confirmee", "liste_attente")}
    print(json.dumps({"erreurs": erreurs[:5], "statuts": statuts, "total": Inscription.objects.count()}))
    """
)


def _base_neuve(tmp_path) -> tuple[str, str | None]:
    """A fresh database URL on the same engine as the suite, and the PostgreSQL database name to drop after."""
    if connection.vendor == "postgresql":
        nom = f"maillage_concurrence_{uuid.uuid4().hex[:8]}"
        reglages = connection.settings_dict
        with connection._nodb_cursor() as curseur:
            curseur.execute(f'CREATE DATABASE "{nom}"')
        utilisateur = reglages["USER"] or ""
        mot_de_passe = f":{reglages['PASSWORD']}" if reglages.get("PASSWORD") else ""
        hote = reglages["HOST"] or "127.0.0.1"
        port = reglages["PORT"] or "5432"
        return f"postgres://{utilisateur}{mot_de_passe}@{hote}:{port}/{nom}", nom
    return f"sqlite:///{tmp_path / 'concurrence.sqlite3'}", None


@pytest.mark.django_db
def test_200_inscriptions_simultanees_pour_100_places(tmp_path):
    url, a_supprimer = _base_neuve(tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "maillage.settings", "DEBUG": "1",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "CONN_MAX_AGE": "0"}  # fmt: skip
    try:
        resultat = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(INSCRIPTIONS), str(PLACES), str(FILS)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        if a_supprimer:
            with connection._nodb_cursor() as curseur:
                curseur.execute(f'DROP DATABASE IF EXISTS "{a_supprimer}" WITH (FORCE)')
    assert resultat.returncode == 0, resultat.stderr[-3000:]
    bilan = json.loads(resultat.stdout.strip().splitlines()[-1])
    assert bilan["erreurs"] == []
    assert bilan["statuts"] == {"confirmee": PLACES, "liste_attente": INSCRIPTIONS - PLACES}
    assert bilan["total"] == INSCRIPTIONS
