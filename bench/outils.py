"""Helpers shared by the benchmark modules (bench/run.py, bench/structures.py, bench/observatoire.py).

Imports nothing from bench/ nor Django: the runner imports the part modules, and they all import this one,
so there is no import circle between bench modules.
"""

import contextlib
import http.client
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def environnement(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update({"DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50})
    env.update({"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING"})
    return env


def lancer(args: list[str], env: dict) -> tuple[float, int, str]:
    """Run a command; return (seconds, peak RSS in MB, stdout)."""
    debut = time.perf_counter()
    processus = subprocess.Popen(args, cwd=RACINE, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sortie = processus.stdout.read()
    _, statut, usage = os.wait4(processus.pid, 0)
    duree = time.perf_counter() - debut
    processus.returncode = os.waitstatus_to_exitcode(statut)
    if processus.returncode != 0:
        raise SystemExit(f"Échec de {' '.join(args)} :\n{sortie}")
    return duree, usage.ru_maxrss // 1024, sortie


def port_libre() -> int:
    """A free loopback port: in BENCH_PORTS ("8700-8799") when set (shared machines), else any."""
    debut, _, fin = os.environ.get("BENCH_PORTS", "0-0").partition("-")
    for port in range(int(debut), int(fin or debut) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise SystemExit(f"Aucun port libre dans BENCH_PORTS={os.environ['BENCH_PORTS']}")


@contextlib.contextmanager
def servir(database_url: str, *, workers: int = 1, env_en_plus: dict | None = None):
    """gunicorn (`workers` sync workers) serving `database_url` on a free loopback port: yields (port, master
    process). `env_en_plus`: settings for this server only (e.g. MAILLAGE_2FA_OBLIGATOIRE=0 for the load test)."""
    env = environnement(database_url) | (env_en_plus or {})
    lancer([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    port = port_libre()
    serveur = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "maillage.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers)],
        cwd=RACINE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, serveur
    finally:
        # A worker still answering the load's last requests may outlive gunicorn's graceful stop on a busy machine.
        serveur.terminate()
        try:
            serveur.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serveur.kill()
            serveur.wait()


def requete(port: int, url: str) -> float:
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    debut = time.perf_counter()
    connexion.request("GET", url, headers={"Host": "127.0.0.1"})
    reponse = connexion.getresponse()
    reponse.read()
    duree = (time.perf_counter() - debut) * 1000
    connexion.close()
    if reponse.status != 200:
        raise SystemExit(f"{url} a répondu {reponse.status}")
    return duree


def memoire_worker(pid_maitre: int) -> int:
    """Peak resident memory (MB) of gunicorn's worker, a child of the master."""
    enfants = Path(f"/proc/{pid_maitre}/task/{pid_maitre}/children").read_text().split()
    pic = 0
    for pid in enfants:
        for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
            if ligne.startswith("VmHWM:"):
                pic = max(pic, int(ligne.split()[1]) // 1024)
    return pic


def description_machine() -> str:
    """The machine and how busy it was when the measure started: other jobs on a shared machine slow the floor
    and the measured pages alike, but not always in the same proportion."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
        f"charge moyenne du système au départ {os.getloadavg()[0]:.1f}"
    )
