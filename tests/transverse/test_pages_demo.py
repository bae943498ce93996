"""Every page a demo role reaches works: no server error, no template syntax left in the HTML.

The whole demo is loaded once (tests/transverse/conftest.py); for each role (and anonymously) the test client
follows the links from the home page and from each page reached, bounded by `exploration.PAGES_PAR_ROLE` and
`exploration.URLS_PAR_ROUTE`. The review page of every demo answer is checked on its own, all of them. The
phone-width and accessibility pass over a sample of these pages is tests/e2e/test_pages_demo_telephone.py.
"""

import pytest

from maillage.observatoire.models import Reponse
from tests.transverse import exploration
from tests.transverse.conftest import ROLES, client_de


@pytest.mark.parametrize("role", ROLES)
def test_pages_atteignables_sans_erreur(demo, role):
    client = client_de(role)
    resultat = exploration.explorer(client)
    assert not resultat.problemes, "\n".join(resultat.problemes)
    # The crawl really went somewhere: the navigation alone has more links than this.
    assert len(resultat.pages_html) >= 5, resultat.visitees


@pytest.mark.parametrize("role", ["pilote", "conseiller", "admin"])
def test_relecture_de_chaque_reponse(demo, role):
    client = client_de(role)
    erreurs = []
    pks = list(Reponse.objects.order_by("pk").values_list("pk", flat=True))
    assert len(pks) == 47
    for pk in pks:
        url = f"/observatoire/reponses/{pk}/relire/"
        reponse = client.get(url)
        if reponse.status_code >= 500:
            erreurs.append(f"{url} : erreur {reponse.status_code}")
        else:
            assert reponse.status_code in (200, 302, 403, 404), url
            if reponse.status_code == 200 and (fuite := exploration.fuite_de_gabarit(reponse.content.decode())):
                erreurs.append(f"{url} : syntaxe de gabarit dans la page : {fuite!r}")
    assert not erreurs, f"{len(erreurs)} pages de relecture en erreur :\n" + "\n".join(erreurs)


@pytest.mark.parametrize("role", ["partenaire", "structure", "anonyme"])
def test_relecture_de_chaque_reponse_autres_roles(demo, role):
    client = client_de(role)
    erreurs = []
    for pk in Reponse.objects.order_by("pk").values_list("pk", flat=True):
        url = f"/observatoire/reponses/{pk}/relire/"
        if (statut := client.get(url).status_code) >= 500:
            erreurs.append(f"{url} : erreur {statut}")
    assert not erreurs, "\n".join(erreurs)
