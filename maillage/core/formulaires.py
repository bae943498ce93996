"""Form helpers shared by every app (core imports no domain app)."""

from django.core.exceptions import ValidationError


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
