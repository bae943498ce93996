"""Reads of a schéma's documents page: the schéma (with its département), the uploaded documents a reader may see,
one document with its schéma. The rights themselves are the rules of `permissions.py`."""

from django.db.models import QuerySet

from maillage.core.permissions import peut

from .models import DocumentSchema, Schema


def schema_des_documents(pk) -> Schema | None:
    return Schema.objects.select_related("departement").filter(pk=pk).first()


def document_lisible(user, document: DocumentSchema) -> bool:
    """A document marked public of an adopted (or later) schéma is everyone's; the others need schema.voir_interne."""
    if document.public and document.schema.public:
        return True
    return peut(user, "schema.voir_interne", document.schema)


def documents_visibles(user, schema: Schema) -> QuerySet[DocumentSchema]:
    """The documents of `schema` that `user` may download, with their uploader (one query)."""
    documents = DocumentSchema.objects.filter(schema=schema).select_related("depose_par").order_by("nature", "titre")
    if peut(user, "schema.voir_interne", schema):
        return documents
    if not schema.public:
        return documents.none()
    return documents.filter(public=True)


def document_avec_schema(pk) -> DocumentSchema | None:
    return DocumentSchema.objects.select_related("schema", "schema__departement").filter(pk=pk).first()
