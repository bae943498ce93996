"""The interactive API documentation (/api/v1/docs): Swagger UI served from the django-ninja package, same origin."""

import re

from django.contrib.staticfiles import finders


def test_documentation_ne_charge_que_des_ressources_du_site(client):
    reponse = client.get("/api/v1/docs")
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert '<html lang="fr">' in html
    adresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert adresses, html
    for adresse in adresses:
        # No CDN: every asset is a path on this site, and the file exists among the static files.
        assert adresse.startswith("/") and not adresse.startswith("//"), adresse
        if adresse.startswith("/static/"):
            assert finders.find(adresse.removeprefix("/static/")), adresse
    assert any(a.endswith("swagger-ui-bundle.js") for a in adresses)
    assert any(a.endswith("swagger-ui.css") for a in adresses)


def test_documentation_sans_script_ni_style_en_ligne(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "style=" not in html
    assert "<style" not in html
    # The only script without src is the JSON settings block, which a browser does not run.
    for balise in re.findall(r"<script[^>]*>", html):
        assert "src=" in balise or 'type="application/json"' in balise, balise
    assert "cdn" not in html.lower()
