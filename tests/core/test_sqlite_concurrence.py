"""The embedded SQLite base under concurrent writers (settings: WAL, IMMEDIATE transactions, busy timeout): writes
queue instead of failing with "database is locked". On a file base in a subprocess (the test base is in memory)."""

import json
import os
import subprocess
import sys
import textwrap

from django.conf import settings

ECRIVAINS = 6
ECRITURES = 15

SCRIPT = textwrap.dedent(
    """
    import json, sys, threading, time

    import django

    django.setup()
    from auditlog.context import disable_auditlog
    from django.db import OperationalError, connection, connections, transaction

    from maillage.territoires.models import Region

    ecrivains, ecritures = int(sys.argv[1]), int(sys.argv[2])
    with connection.schema_editor() as editeur:
        editeur.create_model(Region)
    connection.close()
    erreurs, depart = [], threading.Barrier(ecrivains)

    def ecrire(n):
        depart.wait()
        with disable_auditlog():
            for i in range(ecritures):
                try:
                    # Read then write in one transaction: the pattern a deferred transaction cannot upgrade.
                    with transaction.atomic():
                        deja = Region.objects.filter(code__startswith=str(n)).count()
                        time.sleep(0.002)
                        Region.objects.create(code=f"{n}{deja:02d}", nom=f"écrivain {n}, écriture {i}")
                except OperationalError as erreur:
                    erreurs.append(str(erreur))
        connections.close_all()

    fils = [threading.Thread(target=ecrire, args=(n,)) for n in range(ecrivains)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    print(json.dumps({
        "erreurs": erreurs,
        "lignes": Region.objects.count(),
        "journal": connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
    }))
    """
)


def test_ecritures_concurrentes_mises_en_file_sans_base_verrouillee(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrence.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "DEBUG": "1",
    }
    resultat = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ECRIVAINS), str(ECRITURES)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr
    bilan = json.loads(resultat.stdout.strip().splitlines()[-1])
    assert bilan["erreurs"] == []
    assert bilan["lignes"] == ECRIVAINS * ECRITURES
    assert bilan["journal"] == "wal"
