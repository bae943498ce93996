"""bench/reseau.py: its Django side (set-up of the events, check of the registrations, the batch reported absent
while services_envois is not there) and its section of docs/performance.md (« non mesuré : raison », never a crash).
"""

import importlib.util
from pathlib import Path

import pytest

from maillage.reseau.models import Evenement, Inscription, SessionProgramme

pytestmark = pytest.mark.django_db


def _bench_reseau():
    chemin = Path(__file__).resolve().parents[2] / "bench" / "reseau.py"
    spec = importlib.util.spec_from_file_location("bench_reseau", chemin)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_banc_cote_django_prepare_verifie_et_signale_l_envoi_absent(val_de_marne, monkeypatch):
    from tests.reseau.factories import InscriptionFactory
    from tests.territoires.factories import CommuneFactory

    CommuneFactory(code="94058", nom="Le Perreux-sur-Marne", departement=val_de_marne)
    bench = _bench_reseau()
    monkeypatch.setattr(bench, "EVENEMENTS", 3)
    cible = bench.commande_preparer()
    assert cible["capacite"] == bench.CAPACITE and Evenement.objects.count() == 3
    assert SessionProgramme.objects.count() == 12
    evenement = Evenement.objects.get(pk=cible["evenement"])
    assert (evenement.acces, evenement.statut) == (Evenement.Acces.PUBLIC, Evenement.Statut.PUBLIE)
    InscriptionFactory.create_batch(3, evenement=evenement)
    InscriptionFactory(evenement=evenement, statut=Inscription.Statut.LISTE_ATTENTE)
    assert bench.commande_verifier(cible) == {
        "confirmees": 3, "liste_attente": 1, "annulees": 0, "total": 4, "emails_distincts": 4,
        "capacite": bench.CAPACITE,
    }  # fmt: skip
    # Idempotent, and a re-run starts from an empty event.
    assert bench.commande_preparer() == cible and not evenement.inscriptions.exists()
    try:
        from maillage.reseau import services_envois  # noqa: F401
    except ImportError:
        assert "services_envois" in bench.commande_preparer_envoi(cible)["absent"]


def test_banc_section_markdown(tmp_path):
    bench = _bench_reseau()
    m = {"mediane": 2.0, "p95": 3.0, "max": 4.0, "n": 10}
    cible = {"evenement": 1, "capacite": 200, "evenements": 60, "departement": "94"}
    contexte = {"date": "02/12/2026 06:00", "machine": "x86_64", "base": "PostgreSQL", "requetes": 10}
    absent = {
        "cible": cible,
        "charge": {"absent": "POST … a répondu 404, 422 attendu : route absente"},
        "latences": {
            "http": {"plancher": m},
            "absentes": {n: f"{n} a répondu 404" for n in ("liste", "page", "api_liste", "api_detail")},
            "memoire": 120,
        },
        "envoi": {"absent": "module maillage.reseau.services_envois absent"},
    }
    texte = "\n".join(bench.section_markdown(absent, contexte))
    assert texte.startswith("## Réseau et événements") and texte.count("Non mesuré") == 2
    assert texte.count("non mesuré : ") == 4 and "non mesuré : liste a répondu 404" in texte
    stats = {"n": 1000, "erreurs": 0, "rps": 50.0, "p50": 80.0, "p95": 300.0}
    complet = {
        "cible": cible,
        "charge": {
            "plancher": {"stats": {**stats, "rps": 300.0, "p95": 100.0}, "erreurs": [], "duree": 20},
            "inscriptions": {"stats": stats, "erreurs": [], "duree": 30},
            "reussies": 1000,
            "base": {
                "total": 1010,
                "confirmees": 200,
                "liste_attente": 810,
                "emails_distincts": 1010,
                "capacite": 200,
                "en_vol": 10,
                "coherent": True,
            },  # fmt: skip
        },
        "latences": {"http": dict.fromkeys(bench.LIBELLES, m), "absentes": {}, "memoire": 120},
        "envoi": {
            "page": "/evenements/1/",
            "preparation": {"destinataires": 5000, "creation_s": 1.5},
            "suivi": {"duree_s": 50.0, "statut": "termine", "par_statut": {"envoye": 5000}},
            "avant": m,
            "pendant": m,
        },
    }
    texte = "\n".join(bench.section_markdown(complet, contexte))
    assert "Non mesuré" not in texte and "non mesuré" not in texte
    assert "200 confirmées pour 200 places, 810 en liste d'attente" in texte and "cohérent : oui" in texte
    assert "100 courriels/s" in texte and "ne sont pas bloquées (oui" in texte
    remplace = bench.remplacer_section(
        "# Performances\n\n## Réseau et événements\nancien\n\n## Autre\nx\n", ["## Réseau et événements", "neuf"]
    )
    assert "ancien" not in remplace and "neuf" in remplace and "## Autre" in remplace
