"""locust users of the load test (`bench/charge.py` runs them; configuration in the JSON file $BENCH_CHARGE).

- `Plancher`: `/sante/` again and again (the floor);
- `Mixte`: each request drawn at random: one in 1/$BENCH_PART_ECRITURES is a write (the pilote saves its structure's
  form: GET of the form, then POST with the version read; one structure per client), else a read weighted among
  public pages (anonymous), API (anonymous) and pages of the logged-in pilote (a session opened by the runner).
"""

import html.parser
import itertools
import json
import os
import random
import urllib.parse
from http.cookiejar import Cookie, DefaultCookiePolicy
from pathlib import Path

from locust import FastHttpUser, constant, task
from locust.contrib.fasthttp import FastHttpSession

CONFIG = json.loads(Path(os.environ["BENCH_CHARGE"]).read_text(encoding="utf-8"))
PART_ECRITURES = float(os.environ.get("BENCH_PART_ECRITURES", "0.1"))
NUMEROS = itertools.count()  # one per client: its session and its structure


class Plancher(FastHttpUser):
    wait_time = constant(0)

    @task
    def sante(self):
        self.client.get("/sante/", name="plancher : /sante/")


class _CommeEnHttps(DefaultCookiePolicy):
    """With DEBUG=0 the session and CSRF cookies are `Secure`: production serves HTTPS (behind the proxy), the
    bench plain HTTP on loopback. The clients send them anyway, as a browser on the HTTPS site does."""

    def return_ok_secure(self, cookie, request):
        return True


def _cookie(nom: str, valeur: str) -> Cookie:
    return Cookie(0, nom, valeur, None, False, "127.0.0.1", True, False, "/", True, False, None, False, None, None, {})


class _Champs(html.parser.HTMLParser):
    """The fields a browser posts from the page's form that holds `version` (the structure's form)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.formulaires, self._zone, self._select, self._options = [], None, None, []

    def handle_starttag(self, balise, attributs):
        a = dict(attributs)
        if balise == "form":
            self.formulaires.append([])
        if not self.formulaires or "disabled" in a:
            return
        champs = self.formulaires[-1]
        if balise == "input" and a.get("name"):
            type_ = a.get("type", "text")
            if type_ in {"radio", "checkbox"}:
                if "checked" in a:
                    champs.append((a["name"], a.get("value", "on")))
            elif type_ not in {"submit", "button", "file"}:
                champs.append((a["name"], a.get("value") or ""))
        elif balise == "textarea" and a.get("name"):
            self._zone = [a["name"], ""]
        elif balise == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif balise == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, donnees):
        if self._zone is not None:
            self._zone[1] += donnees

    def handle_endtag(self, balise):
        if balise == "textarea" and self._zone is not None:
            self.formulaires[-1].append((self._zone[0], self._zone[1].removeprefix("\n")))
            self._zone = None
        elif balise == "select" and self._select:
            choisies = [v for v, choisie in self._options if choisie] or [v for v, _ in self._options[:1]]
            self.formulaires[-1].extend((self._select, v) for v in choisies)
            self._select = None


def champs_du_formulaire(page: str) -> list[tuple[str, str]]:
    lecteur = _Champs()
    lecteur.feed(page)
    return next((f for f in lecteur.formulaires if any(nom == "version" for nom, _ in f)), [])


class Mixte(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        numero = next(NUMEROS)
        self.structure = CONFIG["structures"][numero % len(CONFIG["structures"])]
        session = CONFIG["sessions"][numero % len(CONFIG["sessions"])]
        self.client.cookiejar.set_policy(_CommeEnHttps())
        for nom, valeur in session.items():
            self.client.cookiejar.set_cookie(_cookie(nom, valeur))
        self.anonyme = FastHttpSession(self.host, request_event=self.environment.events.request, user=self)
        self.ecritures = 0
        self.lectures = []
        for categorie, libelle, client in (
            ("public", "public", self.anonyme),
            ("api", "API", self.anonyme),
            ("connecte", "connecté", self.client),
        ):
            for nom, (url, poids) in CONFIG["urls"][categorie].items():
                self.lectures.append((f"{libelle} : {nom}", url, client, poids))
        self.poids = [poids for *_, poids in self.lectures]

    @task
    def requete(self):
        if random.random() < PART_ECRITURES / (1 - PART_ECRITURES):
            self.ecrire()  # a GET of the form then the POST: the POST is one request in ten
            return
        nom, url, client, _ = random.choices(self.lectures, weights=self.poids)[0]
        client.get(url, name=nom)

    def ecrire(self):
        url = f"/structures/{self.structure}/modifier/"
        page = self.client.get(url, name="connecté : formulaire d'une structure")
        if page.status_code != 200:
            return
        champs = [(n, v) for n, v in champs_du_formulaire(page.text) if n != "presentation"]
        self.ecritures += 1
        champs.append(("presentation", f"Fiche relue pendant le test de charge (envoi {self.ecritures})."))
        with self.client.post(
            url,
            data=urllib.parse.urlencode(champs),
            name="écriture : enregistrement d'une structure (pilote, verrou de version)",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{self.host}{url}"},
            allow_redirects=False,
            catch_response=True,
        ) as reponse:
            attendu = f"/structures/{self.structure}/"
            if reponse.status_code != 302 or not (reponse.headers.get("Location") or "").endswith(attendu):
                reponse.failure(f"enregistrement refusé ({reponse.status_code})")
