"""Django side of the multi-server test (test_multi_serveurs.py), run in a subprocess against the test's own database
(the servers and workers are other processes: the pytest-django test database would not be visible to them).

`python -m tests.deploiement.preparer donnees` builds the data set and prints its ids as JSON;
`python -m tests.deploiement.preparer lent '{"secondes": 4, "journal": "/tmp/…"}'` queues a slow job
(`tests.deploiement.taches.tache_lente`, a test task the workers import) and prints its `Travail` id.
"""

import datetime
import json
import os
import sys

MOT_DE_PASSE = "multi-serveurs-" + "8" * 12


def donnees() -> dict:
    from django.utils import timezone

    from maillage.comptes.models import Role
    from tests.comptes.factories import UtilisateurFactory
    from tests.observatoire.factories import CampagneFactory
    from tests.reseau.factories import EvenementFactory
    from tests.structures.factories import AgrementFactory, ProjetSocialFactory, StructureFactory
    from tests.territoires.factories import CommuneFactory, DepartementFactory

    dep = DepartementFactory(code="94", nom="Val-de-Marne")
    commune = CommuneFactory(code="94028", nom="Créteil", departement=dep)
    structure = StructureFactory(nom="Centre social des Bleuets", commune=commune)
    aujourdhui = timezone.localdate()
    AgrementFactory(  # in the directory (active structures) today
        structure=structure,
        debut=aujourdhui - datetime.timedelta(days=365),
        fin=aujourdhui + datetime.timedelta(days=730),
    )
    pilote = UtilisateurFactory(
        role=Role.PILOTE, email="pilote@multi.invalid", departements=[dep], password=MOT_DE_PASSE
    )
    victime = UtilisateurFactory(
        role=Role.PILOTE, email="verrou@multi.invalid", departements=[dep], password=MOT_DE_PASSE
    )
    projet = ProjetSocialFactory(structure=structure)
    campagne = CampagneFactory(departement=dep, publiee=True, publiee_le=timezone.now())
    evenement = EvenementFactory(departement=dep, titre="Journée des centres sociaux")
    return {
        "departement": dep.code,
        "structure": structure.pk,
        "pilote": pilote.email,
        "victime": victime.email,
        "mot_de_passe": MOT_DE_PASSE,
        "projet": projet.pk,
        "annee": campagne.annee,
        "evenement": evenement.pk,
    }


def lent(secondes: float, journal: str, nombre: int = 1) -> str | list[str]:
    from maillage.core.travaux import travail_lancer
    from tests.deploiement.taches import tache_lente

    travaux = [
        travail_lancer(
            tache=tache_lente, nature="essai.lent", libelle="Travail lent", secondes=secondes, journal=journal
        )
        for _ in range(nombre)
    ]
    return str(travaux[0].pk) if nombre == 1 else [str(t.pk) for t in travaux]


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    import django

    django.setup()
    commande, arguments = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    print(json.dumps({"donnees": donnees, "lent": lent}[commande](**arguments)))
