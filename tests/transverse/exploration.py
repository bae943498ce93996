"""Follow every link a role can reach, with the Django test client, bounded and deduplicated.

Shared by the crawl of the demo (tests/transverse/test_pages_demo.py) and the phone-width browser pass
(tests/e2e/test_pages_demo_telephone.py), which picks its sample among the pages found here.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

# Pages visited per role at most, and distinct URLs per route (query values included): the 47 structures
# or 47 answers of the demo would otherwise eat the whole budget on one kind of page.
PAGES_PAR_ROLE = 150
URLS_PAR_ROUTE = 4

# Not followed: leaving the session, the back-office, files and downloads (exports, PDF, XLSX, GeoJSON).
PREFIXES_EXCLUS = ("/admin/", "/static/", "/media/", "/api/")
ROUTES_EXCLUES = {"comptes:deconnexion", "core:theme", "structures:document"}
MOTS_TELECHARGEMENT = ("export", "xlsx", "pdf", "geojson")
# Checked for every answer by its own test (test_relecture_de_chaque_reponse), not by sampling.
ROUTES_A_PART = {"observatoire:relire"}

# Template syntax that reached the page: an unrendered tag, variable or one-line comment.
SYNTAXE_GABARIT = re.compile(r"\{\{|\{%|\{#")
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)


class _Liens(HTMLParser):
    def __init__(self):
        super().__init__()
        self.liens = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.liens.append(href)


def liens(html: str) -> list[str]:
    analyseur = _Liens()
    analyseur.feed(html)
    return analyseur.liens


def fuite_de_gabarit(html: str) -> str | None:
    """The first leaked template syntax in the page (scripts and styles left out), with some context."""
    texte = _SCRIPTS.sub("", html)
    if trouve := SYNTAXE_GABARIT.search(texte):
        return texte[max(0, trouve.start() - 60) : trouve.end() + 60].strip()
    return None


def nom_de_route(chemin: str) -> str | None:
    try:
        correspondance = resolve(chemin)
    except Resolver404:
        return None
    return correspondance.view_name


def a_suivre(url: str) -> str | None:
    """The normalised same-origin path?query to visit, or None when the link is not to be followed."""
    morceaux = urlsplit(url)
    if morceaux.scheme not in ("", "http", "https") or morceaux.netloc not in ("", "testserver"):
        return None
    chemin = morceaux.path
    if not chemin.startswith("/") or chemin.startswith(PREFIXES_EXCLUS):
        return None
    route = nom_de_route(chemin)
    if route is None or route in ROUTES_EXCLUES or route in ROUTES_A_PART:
        return None
    if any(mot in chemin.lower() or mot in route for mot in MOTS_TELECHARGEMENT):
        return None
    requete = urlencode(sorted(parse_qsl(morceaux.query, keep_blank_values=True)))
    return chemin + (f"?{requete}" if requete else "")


@dataclass
class Exploration:
    visitees: dict = field(default_factory=dict)  # url → status code
    pages_html: list = field(default_factory=list)  # urls answered 200 with HTML
    problemes: list = field(default_factory=list)  # "url : what went wrong"


def explorer(client, depart=("/",), limite=PAGES_PAR_ROLE) -> Exploration:
    """Breadth-first from `depart` (the navigation is on every page): at most `limite` pages."""
    resultat = Exploration()
    par_route = Counter()
    a_voir = deque()
    vus = set()

    def ajouter(url):
        if url is None or url in vus:
            return
        route = nom_de_route(urlsplit(url).path)
        if par_route[route] >= URLS_PAR_ROUTE:
            return
        vus.add(url)
        par_route[route] += 1
        a_voir.append(url)

    for url in depart:
        ajouter(a_suivre(url))
    while a_voir and len(resultat.visitees) < limite:
        url = a_voir.popleft()
        reponse = client.get(url)
        resultat.visitees[url] = reponse.status_code
        if reponse.status_code >= 500:
            resultat.problemes.append(f"{url} : erreur {reponse.status_code}")
            continue
        if reponse.status_code in (301, 302, 303, 307, 308):
            ajouter(a_suivre(urljoin(url, reponse["Location"])))
            continue
        if reponse.status_code != 200 or not reponse.get("Content-Type", "").startswith("text/html"):
            continue
        html = reponse.content.decode(reponse.charset or "utf-8")
        resultat.pages_html.append(url)
        if fuite := fuite_de_gabarit(html):
            resultat.problemes.append(f"{url} : syntaxe de gabarit dans la page : {fuite!r}")
        for lien in liens(html):
            ajouter(a_suivre(urljoin(url, lien)))
    return resultat
