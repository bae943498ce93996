"""Form helpers shared by every app (core imports no domain app)."""

import datetime
import functools
import re
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone


def ajouter_erreurs_du_service(form, erreur: ValidationError) -> None:
    """Show a service's refusal on the form that sent its data.

    Keyed messages go on the field of that name when the form has one, on top of the form otherwise (a service
    may name a field the form does not show or hides, such as "version", or "__all__"); a plain list of
    messages goes on top.
    """
    if hasattr(erreur, "error_dict"):
        for champ, erreurs in erreur.error_dict.items():
            visible = champ in form.fields and not form.fields[champ].widget.is_hidden
            form.add_error(champ if visible else None, erreurs)
    else:
        form.add_error(None, erreur)


# --- One-time token of creation forms --------------------------------------------------------------

CHAMP_JETON = "jeton_formulaire"
DUREE_JETON = datetime.timedelta(days=1)
DEJA_ENVOYE = "Ce formulaire a déjà été envoyé : l'élément a été créé une seule fois."
_MOTIF_JETON = re.compile(r"[0-9a-f]{32}")


def nouveau_jeton() -> str:
    return uuid.uuid4().hex


def creation_unique(vue):
    """Make a creation view idempotent: a POST carrying a token already used is not run again.

    The form renders `{% jeton_formulaire %}` (a fresh token each time it is shown). The first POST with a token
    records it; when the view answers with a redirect (success), the target is kept, and a second POST with the
    same token is redirected there with a message. A POST refused by validation forgets its token (the form is
    shown again with a new one). A POST without token (an API client, a test) runs as before.
    """

    @functools.wraps(vue)
    def envelopper(request, *args, **kwargs):
        from .models import JetonFormulaire

        jeton = request.POST.get(CHAMP_JETON, "") if request.method == "POST" else ""
        if not _MOTIF_JETON.fullmatch(jeton):
            return vue(request, *args, **kwargs)
        JetonFormulaire.objects.filter(cree_le__lt=timezone.now() - DUREE_JETON).delete()
        try:
            with transaction.atomic():
                JetonFormulaire.objects.create(jeton=jeton)
        except IntegrityError:
            premier = JetonFormulaire.objects.filter(jeton=jeton).first()
            messages.warning(request, DEJA_ENVOYE)
            return redirect(premier.url if premier and premier.url else request.get_full_path())
        try:
            reponse = vue(request, *args, **kwargs)
        except BaseException:
            JetonFormulaire.objects.filter(jeton=jeton).delete()
            raise
        if reponse.status_code in (301, 302, 303) and reponse.get("Location"):
            JetonFormulaire.objects.filter(jeton=jeton).update(url=reponse["Location"][:500])
        else:
            JetonFormulaire.objects.filter(jeton=jeton).delete()
        return reponse

    return envelopper
