"""Every scrolling table box of the registry, accounts, budgets, diagnostic, territories, fiches and results pages
is reachable by keyboard and named after its table (axe's scrollable-region-focusable; a screen reader announces
which table the region holds). js/defilement.js adds the visible hint when the table overflows."""

import re
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2] / "maillage"
DOSSIERS = [
    "comptes/templates",
    "structures/templates",
    "financements/templates",
    "diagnostic/templates",
    "territoires/templates",
    "fiches/templates",
    "observatoire/templates/observatoire/resultats",
]
BOITE = re.compile(r"<div\b[^>]*class=\"tableau-defilant\"[^>]*>")


def _boites():
    for dossier in DOSSIERS:
        for gabarit in sorted((RACINE / dossier).rglob("*.html")):
            for boite in BOITE.findall(gabarit.read_text(encoding="utf-8")):
                yield gabarit.relative_to(RACINE), boite


@pytest.mark.parametrize(("gabarit", "boite"), list(_boites()), ids=lambda v: str(v)[:60])
def test_boite_defilante_atteignable_et_nommee(gabarit, boite):
    assert 'tabindex="0"' in boite and 'role="region"' in boite, f"{gabarit} : {boite}"
    assert "aria-labelledby=" in boite or "aria-label=" in boite, f"{gabarit} : {boite}"
    assert 'aria-label="Tableau (défilement horizontal possible)"' not in boite, f"{gabarit} : nom générique"


def test_les_boites_sont_trouvees():
    assert len(list(_boites())) > 30


def test_les_legendes_nommant_une_boite_existent():
    """An aria-labelledby points to a caption id of the same template."""
    for dossier in DOSSIERS:
        for gabarit in (RACINE / dossier).rglob("*.html"):
            texte = gabarit.read_text(encoding="utf-8")
            for boite in BOITE.findall(texte):
                if cible := re.search(r'aria-labelledby="([^"]+)"', boite):
                    assert f'id="{cible.group(1)}"' in texte, f"{gabarit} : {cible.group(1)}"
