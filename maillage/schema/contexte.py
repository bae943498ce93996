"""What every page of a schéma shows around its content: the schéma, the current tab, the viewer's rights."""

from maillage.core.permissions import peut


def contexte_schema(request, schema, onglet: str) -> dict:
    """`onglet` is one of "apercu", "indicateurs", "gouvernance", "decisions", "mise_a_jour", "documents"."""
    return {
        "schema": schema,
        "onglet": onglet,
        "interne": peut(request.user, "schema.voir_interne", schema),
        "gerer": peut(request.user, "schema.gerer", schema),
    }
