"""The deployment artefacts (deploiement/) stay true to the code: variables read, commands run, paths copied.

The container image is not built here (no container engine on the project's machine): its recipe is checked
statically. The systemd units are checked by `systemd-analyze verify` when it is installed, and gunicorn is started
for real with its configuration file.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import get_commands

RACINE = Path(__file__).resolve().parent.parent
DEPLOIEMENT = RACINE / "deploiement"
UNITES = DEPLOIEMENT / "systemd"
EXPLOITATION = RACINE / "docs" / "exploitation.md"
CONTAINERFILE = DEPLOIEMENT / "Containerfile"
INSTALLATION = "/srv/maillage"  # where the units expect the code

LECTURE_ENV = re.compile(r"""(?:os\.environ\.get|os\.environ\[|env_bool|env_list)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
VARIABLE_EXEMPLE = re.compile(r"^#?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
COMMANDE_MANAGE = re.compile(r"manage\.py ([a-z_]+)")


def variables_lues(fichier: Path) -> set[str]:
    return set(LECTURE_ENV.findall(fichier.read_text(encoding="utf-8")))


def lignes(fichier: Path, cle: str) -> list[str]:
    """Values of `cle=` in a systemd unit (a key may repeat: ExecStart of a oneshot service)."""
    prefixe = f"{cle}="
    return [ligne[len(prefixe) :] for ligne in fichier.read_text().splitlines() if ligne.startswith(prefixe)]


# --- Environment reference ----------------------------------------------------------------------------------------


def test_reference_de_l_environnement_complete_et_sans_variable_morte():
    lues = variables_lues(RACINE / "maillage" / "settings.py") | variables_lues(DEPLOIEMENT / "gunicorn.conf.py")
    exemple = VARIABLE_EXEMPLE.findall((DEPLOIEMENT / "maillage.env.exemple").read_text(encoding="utf-8"))
    assert len(exemple) == len(set(exemple)), "variable en double dans maillage.env.exemple"
    assert lues - set(exemple) == set(), "variables lues par le code, absentes de deploiement/maillage.env.exemple"
    assert set(exemple) - lues == set(), "variables de maillage.env.exemple que le code ne lit pas"


def test_lecture_des_variables_reperee():
    # The pattern finds reads written over several lines (EMAIL_BACKEND) and through the helpers.
    lues = variables_lues(RACINE / "maillage" / "settings.py")
    assert {"EMAIL_BACKEND", "MAILLAGE_DIRECTEUR_PUBLICATION", "DEBUG", "ALLOWED_HOSTS", "REDIS_URL"} <= lues


# --- systemd units ------------------------------------------------------------------------------------------------


def unites_de_service() -> list[Path]:
    return sorted(UNITES.glob("*.service"))


def test_unites_presentes():
    noms = {f.name for f in UNITES.iterdir()}
    assert {
        "maillage-web.service",
        "maillage-worker@.service",
        "maillage-taches.service",
        "maillage-taches.timer",
    } <= noms


@pytest.mark.parametrize("unite", unites_de_service(), ids=lambda f: f.name)
def test_unite_lit_l_environnement_et_lance_des_commandes_existantes(unite):
    assert lignes(unite, "EnvironmentFile") == ["/etc/maillage/maillage.env"]
    assert lignes(unite, "User") == ["maillage"]
    assert lignes(unite, "WorkingDirectory") == [INSTALLATION]
    commandes_django = get_commands()
    lancements = lignes(unite, "ExecStart")
    assert lancements
    for lancement in lancements:
        for chemin in re.findall(rf"{INSTALLATION}/(\S+)", lancement):
            if not chemin.startswith(".venv/"):
                assert (RACINE / chemin).exists(), f"{unite.name} : {chemin} n'existe pas dans le dépôt"
        for commande in COMMANDE_MANAGE.findall(lancement):
            assert commande in commandes_django, f"{unite.name} : manage.py {commande} n'existe pas"
        if "gunicorn" in lancement:
            assert lancement.split()[-1] == "maillage.wsgi"
            assert (RACINE / "maillage" / "wsgi.py").exists()


def test_minuteur_declenche_le_service_des_taches():
    minuteur = UNITES / "maillage-taches.timer"
    assert lignes(minuteur, "OnCalendar")
    assert (UNITES / "maillage-taches.service").exists()  # same name: the timer starts it


def commandes_planifiees_de_la_doc() -> dict[str, str]:
    """Command → frequency, from the table « Tâches planifiées » of docs/exploitation.md (the reference list)."""
    texte = EXPLOITATION.read_text(encoding="utf-8")
    section = texte.split("## Tâches planifiées", 1)[1].split("\n## ", 1)[0]
    planifiees = {}
    for ligne in section.splitlines():
        if ligne.startswith("| ") and "manage.py" in ligne:
            quand, commandes = ligne.split("|")[1:3]
            for commande in COMMANDE_MANAGE.findall(commandes):
                planifiees[commande] = quand.strip()
    return planifiees


def test_taches_de_la_nuit_identiques_a_la_documentation():
    planifiees = commandes_planifiees_de_la_doc()
    assert "expirer_agrements" in planifiees and "sauvegarder" in planifiees
    quotidiennes = {cmd for cmd, quand in planifiees.items() if quand in ("chaque nuit", "chaque jour")}
    service = UNITES / "maillage-taches.service"
    lancees = [cmd for ligne in lignes(service, "ExecStart") for cmd in COMMANDE_MANAGE.findall(ligne)]
    assert set(lancees) == quotidiennes
    assert lancees[-1] == "sauvegarder", "la sauvegarde vient après les purges"
    # A command run more often (every minute…) has its own unit and timer.
    toutes = {
        cmd
        for unite in unites_de_service()
        for ligne in lignes(unite, "ExecStart")
        for cmd in COMMANDE_MANAGE.findall(ligne)
    }
    frequentes = {cmd for cmd, quand in planifiees.items() if quand.startswith(("chaque minute", "chaque heure"))}
    assert frequentes <= toutes, "commande planifiée sans unité systemd dans deploiement/systemd/"
    for commande in planifiees:
        assert commande in get_commands(), f"docs/exploitation.md cite manage.py {commande}, qui n'existe pas"


def test_liste_des_processus_cite_des_commandes_existantes():
    texte = (DEPLOIEMENT / "processus.md").read_text(encoding="utf-8")
    commandes = set(COMMANDE_MANAGE.findall(texte))
    assert {"db_worker", "migrate", "collectstatic"} <= commandes
    assert commandes <= set(get_commands())
    for lien in re.findall(r"\]\(([^)#]+)", texte):
        assert (DEPLOIEMENT / lien).resolve().exists(), f"lien mort dans processus.md : {lien}"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent de cette machine")
def test_systemd_analyze_verify(tmp_path):
    # The units name /srv/maillage: verified here against this checkout (its .venv holds gunicorn and python).
    sauvegardes = tmp_path / "sauvegardes"
    sauvegardes.mkdir()
    for unite in UNITES.iterdir():
        texte = unite.read_text().replace(INSTALLATION, str(RACINE)).replace("/srv/sauvegardes", str(sauvegardes))
        (tmp_path / unite.name).write_text(texte)
    unites = sorted(str(f) for f in tmp_path.iterdir() if f.is_file())
    resultat = subprocess.run(
        ["systemd-analyze", "verify", *unites], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stderr.strip() == "", resultat.stderr  # unknown keys are only warned about


# --- Container recipe (not built here) ------------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Containerfile, continuation lines joined, comments dropped."""
    texte = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text(encoding="utf-8"))
    resultat = []
    for ligne in texte.splitlines():
        ligne = ligne.strip()
        if ligne and not ligne.startswith("#"):
            instruction, _, arguments = ligne.partition(" ")
            resultat.append((instruction.upper(), arguments.strip()))
    return resultat


def test_containerfile_copie_des_chemins_existants_et_non_exclus():
    ignores = (RACINE / ".containerignore").read_text().splitlines()
    copies = [arguments.split()[:-1] for instruction, arguments in instructions() if instruction == "COPY"]
    assert copies
    for sources in copies:
        for source in sources:
            assert not source.startswith("--"), "COPY sans option (--from, --chown) : tout vient du dépôt"
            assert (RACINE / source).exists(), f"COPY {source} : absent du dépôt"
            assert f"!{source}" in ignores, f"{source} exclu du contexte par .containerignore"


def test_containerfile_installe_les_dependances_epinglees_et_les_bibliotheques_du_pdf():
    liste = instructions()
    assert liste[0][0] == "FROM" and "python:3.11-slim-bookworm" in liste[0][1]
    executions = [arguments for instruction, arguments in liste if instruction == "RUN"]
    assert any("pip install -r requirements.txt" in commande for commande in executions)
    ordre = [f"{i} {a}" for i, a in liste]
    copie = next(n for n, ligne in enumerate(ordre) if ligne.startswith("COPY requirements.txt"))
    installation = next(n for n, ligne in enumerate(ordre) if "pip install -r requirements.txt" in ligne)
    assert copie < installation
    # The system libraries the documentation asks for WeasyPrint (section « Rapports PDF »).
    section = EXPLOITATION.read_text(encoding="utf-8").split("## Rapports PDF", 1)[1].split("\n## ", 1)[0]
    documentees = re.search(r"apt-get install ([a-z0-9.\- ]+)", section).group(1)
    apt = next(commande for commande in executions if "apt-get install" in commande)
    for paquet in documentees.split():
        assert paquet in apt.split(), f"{paquet} manque à l'image"


def test_containerfile_lance_des_commandes_existantes_sans_root():
    liste = instructions()
    commandes_django = get_commands()
    for instruction, arguments in liste:
        for commande in COMMANDE_MANAGE.findall(arguments):
            assert commande in commandes_django, f"{instruction} manage.py {commande} n'existe pas"
    executions = " ".join(arguments for instruction, arguments in liste if instruction == "RUN")
    assert "collectstatic --noinput" in executions
    assert re.search(r"DEBUG=0 SECRET_KEY=\S+", executions), "collectstatic avec les réglages de production"
    utilisateurs = [arguments for instruction, arguments in liste if instruction == "USER"]
    assert utilisateurs and utilisateurs[-1] not in ("root", "0")
    commande = json.loads(next(arguments for instruction, arguments in liste if instruction == "CMD"))
    assert commande[0] == "gunicorn"
    configuration = commande[commande.index("--config") + 1]
    assert any(configuration in arguments for instruction, arguments in liste if instruction == "COPY")
    assert commande[-1] == "maillage.wsgi"


# --- gunicorn, for real ----------------------------------------------------------------------------------------------


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _PasDeRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


SANS_REDIRECTION = urllib.request.build_opener(_PasDeRedirection)


def test_gunicorn_demarre_avec_sa_configuration_et_journalise_en_json(tmp_path):
    port = port_libre()
    environnement = {k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "SECURE_", "REDIS_"))}
    environnement.update(
        DEBUG="0",
        LOG_FORMAT="json",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'vide.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        HOME=str(tmp_path),
        # Python's warnings go to stderr as text (WhiteNoise's, without collectstatic): they are not log lines.
        PYTHONWARNINGS="ignore",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    sortie = tmp_path / "sortie.log"
    with sortie.open("w") as flux:
        processus = subprocess.Popen(
            [str(gunicorn), "--config", str(DEPLOIEMENT / "gunicorn.conf.py")],
            cwd=tmp_path,  # the configuration finds the project itself
            env=environnement,
            stdout=flux,
            stderr=subprocess.STDOUT,
        )
        try:
            reponses = {}
            echeance = time.monotonic() + 90
            while time.monotonic() < echeance and processus.poll() is None:
                try:
                    for chemin in ("/sante/", "/structures/"):
                        try:
                            with SANS_REDIRECTION.open(f"http://127.0.0.1:{port}{chemin}", timeout=30) as reponse:
                                reponses[chemin] = reponse.status
                        except urllib.error.HTTPError as erreur:
                            reponses[chemin] = erreur.code
                    break
                except (ConnectionError, urllib.error.URLError):
                    time.sleep(0.5)
        finally:
            processus.terminate()
            processus.wait(timeout=30)
    lignes_ecrites = sortie.read_text().splitlines()
    assert reponses == {"/sante/": 200, "/structures/": 301}, "\n".join(lignes_ecrites[-20:])
    objets = [json.loads(ligne) for ligne in lignes_ecrites if ligne.strip()]  # every line is JSON
    journaux = {objet["logger"] for objet in objets}
    assert "gunicorn.error" in journaux  # gunicorn's own lines too
    acces = [objet for objet in objets if objet["logger"] == "maillage.requetes"]
    assert [(objet["path"], objet["status"]) for objet in acces] == [("/structures/", 301)]


def test_liens_de_la_documentation_vers_le_deploiement():
    texte = EXPLOITATION.read_text(encoding="utf-8")
    liens = re.findall(r"\]\((\.\./deploiement/[^)#]*)", texte)
    assert len(liens) >= 8
    for lien in liens:
        assert (EXPLOITATION.parent / lien).resolve().exists(), f"lien mort dans docs/exploitation.md : {lien}"
    for section in ("## Déploiement à deux serveurs", "## Sondes", "## Journaux"):
        assert section in texte
