"""The structure symbols of the maps are defined once, in carte-base.js; the other scripts use them and the
legends (structures' inline SVG, the diagnostic's CSS boxes) show the same colours."""

import re
from pathlib import Path

MAILLAGE = Path(__file__).resolve().parent.parent / "maillage"
CARTE_BASE = MAILLAGE / "static/maillage/js/carte-base.js"


def _couleurs_des_symboles() -> dict[str, str]:
    source = CARTE_BASE.read_text(encoding="utf-8")
    bloc = source[source.index("var SYMBOLES = {") : source.index("};", source.index("var SYMBOLES = {"))]
    return {
        cle: re.search(r'fill="(#[0-9a-f]{6})"', corps).group(1)
        for cle, corps in re.findall(r"\n    (\w+):\n(.*?)(?=\n    \w+:\n|\Z)", bloc, re.S)
    }


def test_symboles_definis_dans_carte_base():
    assert _couleurs_des_symboles() == {"centre_social": "#0b5c8a", "evs": "#4b2a86", "hypothese": "#1a7f37"}


def test_aucun_autre_script_ne_dessine_de_symbole():
    for script in MAILLAGE.rglob("*.js"):
        if script != CARTE_BASE:
            assert "<svg" not in script.read_text(encoding="utf-8"), script


def test_legendes_aux_couleurs_des_symboles():
    couleurs = _couleurs_des_symboles()
    legende = (MAILLAGE / "structures/templates/structures/_legende_types.html").read_text(encoding="utf-8")
    assert re.findall(r'fill="(#[0-9a-f]{6})"', legende) == [couleurs["centre_social"], couleurs["evs"]]
    css = (MAILLAGE / "diagnostic/static/diagnostic/diagnostic.css").read_text(encoding="utf-8")
    for classe, cle in (("cs", "centre_social"), ("evs", "evs"), ("hypothese", "hypothese")):
        regle = re.search(r"\.diag-symbole--" + classe + r" \{([^}]*)\}", css).group(1)
        assert f"background: {couleurs[cle]};" in regle
