"""Schemas of the events API (`/api/v1/evenements…`); other areas of the network may import them. Names are
prefixed (EvenementOut, LieuEvenementOut…): a schema name must be unique across the API's routers."""

import datetime

from ninja import Schema


class CommuneEvenementOut(Schema):
    code: str
    nom: str


class LieuEvenementOut(Schema):
    nom: str
    adresse: str
    commune: CommuneEvenementOut | None


class EvenementOut(Schema):
    id: int
    titre: str
    type: str
    debut: datetime.datetime
    fin: datetime.datetime
    lieu: LieuEvenementOut
    capacite: int | None
    inscrits: int
    liste_attente: int
    inscriptions_ouvertes: bool


class PageEvenementsOut(Schema):
    count: int
    items: list[EvenementOut]


class IntervenantEvenementOut(Schema):
    nom: str
    fonction: str
    organisation: str


class SessionEvenementOut(Schema):
    debut: datetime.datetime
    fin: datetime.datetime
    titre: str
    type: str
    salle: str
    capacite: int | None
    intervenants: list[IntervenantEvenementOut]


class EvenementDetailOut(EvenementOut):
    description: str
    programme: list[SessionEvenementOut]
