"""The import-layers contract of pyproject.toml (run by `make lint`) really catches an upward import: it is checked
against a throwaway skeleton of the project's packages, so the test holds whatever the real code imports."""

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((RACINE / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _applications() -> list[str]:
    couches = next(c for c in CONFIG["contracts"] if c["type"] == "layers")["layers"]
    return [nom.strip().strip("()") for couche in couches for nom in couche.split("|")]


def _verifier(imports: dict[str, str]) -> subprocess.CompletedProcess:
    """Run lint-imports with the real contracts on an empty `maillage` package plus the given modules."""
    with tempfile.TemporaryDirectory() as dossier:
        racine = Path(dossier)
        (racine / "pyproject.toml").write_bytes((RACINE / "pyproject.toml").read_bytes())
        for paquet in ["maillage", *(f"maillage/{app}" for app in _applications())]:
            (racine / paquet).mkdir()
            (racine / paquet / "__init__.py").touch()
        for module, cible in imports.items():
            (racine / f"{module.replace('.', '/')}.py").write_text(f"import {cible}\n", encoding="utf-8")
        return subprocess.run(
            [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
             "--no-cache", "--no-logo"],
            cwd=racine, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip


def test_squelette_respecte_les_contrats():
    resultat = _verifier({"maillage.structures.sonde": "maillage.core", "maillage.demo.sonde": "maillage.structures"})
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "BROKEN" not in resultat.stdout


@pytest.mark.parametrize(
    ("module", "cible", "message"),
    [
        ("maillage.core.sonde", "maillage.structures", "maillage.core is not allowed to import maillage.structures"),
        ("maillage.territoires.sonde", "maillage.comptes", "maillage.territoires is not allowed to import"),
        ("maillage.diagnostic.sonde", "maillage.financements", "maillage.diagnostic is not allowed to import"),
        ("maillage.structures.sonde", "maillage.accueil", "maillage.structures is not allowed to import"),
        ("maillage.observatoire.sonde", "maillage.demo.jeu", "maillage.observatoire is not allowed to import"),
    ],
)
def test_import_vers_le_haut_refuse(module, cible, message):
    resultat = _verifier({module: cible, "maillage.demo.jeu": "maillage.core"})
    assert resultat.returncode == 1, resultat.stdout + resultat.stderr
    assert message in resultat.stdout
    assert f"{module} -> {cible}" in resultat.stdout


def test_demo_interdite_aux_applications_metier():
    resultat = _verifier({"maillage.financements.sonde": "maillage.demo.jeu", "maillage.demo.jeu": "maillage.core"})
    assert resultat.returncode == 1, resultat.stdout + resultat.stderr
    assert "Aucune application métier n'importe la démonstration BROKEN" in resultat.stdout
