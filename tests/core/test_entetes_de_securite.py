"""Security headers on every kind of response: pages, API, errors."""

import pytest

ADRESSES = ["/", "/api/v1/openapi.json", "/page-qui-n-existe-pas/", "/?q=%00"]


@pytest.mark.django_db
@pytest.mark.parametrize("adresse", ADRESSES)
def test_permissions_policy_sur_toutes_les_reponses(client, adresse):
    reponse = client.get(adresse)
    politique = {
        fonction.strip(): origines
        for fonction, origines in (p.split("=") for p in reponse["Permissions-Policy"].split(","))
    }
    for fonction in ("geolocation", "camera", "microphone", "payment", "usb"):
        assert politique[fonction] == "()", fonction
    # Set next to Django's SecurityMiddleware, the outermost: even a request refused early carries them all.
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Referrer-Policy"] == "same-origin"
