"""A test task for the multi-server test: slow on purpose, with side effects the test counts. The workers import it
by its path (the task queue stores `tests.deploiement.taches.tache_lente`)."""

import os
import time

from maillage.core.travaux import executer, task


@task()
def tache_lente(*, travail_id: str, secondes: float, journal: str) -> str:
    """Takes `secondes`, writes a line to `journal` when it starts and one when it ends, reports progress, and
    produces a small file."""

    def travail(suivi):
        with open(journal, "a", encoding="utf-8") as f:
            f.write(f"debut {os.getpid()}\n")
        pas = max(int(secondes / 0.1), 1)
        for i in range(pas):
            time.sleep(0.1)
            suivi.avancer(i + 1, pas, "Travail lent")
        with open(journal, "a", encoding="utf-8") as f:
            f.write(f"fin {os.getpid()}\n")
        return {"contenu": b"lent", "nom_fichier": f"lent-{travail_id}.txt", "type_contenu": "text/plain"}

    return executer(travail_id, travail)
