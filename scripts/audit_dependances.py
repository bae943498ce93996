"""Known vulnerabilities in the pinned requirements (pip-audit), for `make lint`.

pip-audit asks a vulnerability service (PyPI's JSON API, or OSV) about each pinned package. When that service
cannot be reached, or answers without data (a mirror, no network), pip-audit skips every package and still says
"No known vulnerabilities found": here that case is reported as an audit NOT done. It then fails only with
AUDIT_REQUIS=1 (for a CI that must audit); a vulnerability found always fails.

Usage: python scripts/audit_dependances.py requirements.txt [requirements-dev.txt ...]
"""

import json
import os
import subprocess
import sys
from pathlib import Path

DELAI = 180  # seconds: a service that does not answer must not hang the lint


def auditer(fichier: str) -> tuple[list, list, list]:
    """(vulnerable, audited, skipped) packages of one requirements file; raises RuntimeError if pip-audit fails."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    commande = [str(pip_audit), "-r", fichier, "--no-deps", "--disable-pip", "--progress-spinner", "off"]
    commande += ["--format", "json"]
    try:
        resultat = subprocess.run(commande, capture_output=True, text=True, timeout=DELAI, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"pas de réponse du service de vulnérabilités en {DELAI} s") from exc
    try:
        rapport = json.loads(resultat.stdout)
    except json.JSONDecodeError as exc:
        derniere = (resultat.stderr.strip().splitlines() or ["(aucun message)"])[-1]
        raise RuntimeError(f"pip-audit n'a pas abouti : {derniere}") from exc
    dependances = rapport.get("dependencies", [])
    vulnerables = [d for d in dependances if d.get("vulns")]
    sautees = [d for d in dependances if d.get("skip_reason")]
    auditees = [d for d in dependances if not d.get("skip_reason")]
    return vulnerables, auditees, sautees


def main(fichiers: list[str]) -> int:
    requis = os.environ.get("AUDIT_REQUIS") == "1"
    code = 0
    for fichier in fichiers:
        try:
            vulnerables, auditees, sautees = auditer(fichier)
        except RuntimeError as exc:
            print(f"AUDIT NON FAIT ({fichier}) : {exc}.")
            code = code or (1 if requis else 0)
            continue
        for dep in vulnerables:
            for vuln in dep["vulns"]:
                correctifs = ", ".join(vuln.get("fix_versions", [])) or "aucune"
                print(f"VULNÉRABLE : {dep['name']} {dep['version']} : {vuln['id']} (corrigé en : {correctifs})")
        if vulnerables:
            code = 1
        if sautees and not auditees:
            print(
                f"AUDIT NON FAIT ({fichier}) : le service de vulnérabilités (PyPI ou OSV) est injoignable ou ne "
                f"renvoie aucune donnée depuis cette machine ; {len(sautees)} paquets non vérifiés "
                f"(par exemple {sautees[0]['name']} : {sautees[0]['skip_reason']})."
            )
            code = code or (1 if requis else 0)
        elif sautees:
            noms = ", ".join(d["name"] for d in sautees)
            print(f"{fichier} : {len(auditees)} paquets vérifiés, {len(sautees)} non vérifiés ({noms}).")
        elif not vulnerables:
            print(f"{fichier} : {len(auditees)} paquets vérifiés, aucune vulnérabilité connue.")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.txt"]))
