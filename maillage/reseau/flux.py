"""RSS 2.0 and Atom feeds of the network's published news (`?departement=94`; every département without it):
title, link, date, author, tags as categories, summary. Drafts never appear."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from maillage.territoires.selectors import departement_par_code

from . import selectors_publications as selectors

NOMBRE_ENTREES = 50


class ActualitesRSS(Feed):
    feed_type = Rss201rev2Feed
    language = "fr"

    def get_object(self, request, *args, **kwargs):
        code = (request.GET.get("departement") or "").strip()
        # An unknown code answers 404 with its reason.
        return departement_par_code(code) if code else None

    def title(self, departement):
        nom = settings.MAILLAGE_PLATEFORME.get("nom", "Maillage")
        return f"Actualités du réseau — {departement.nom}" if departement else f"Actualités du réseau — {nom}"

    def description(self, departement):
        return "Les actualités publiées du réseau de l'animation de la vie sociale."

    subtitle = description

    def link(self, departement):
        url = reverse("reseau:actualites")
        return f"{url}?departement={departement.code}" if departement else url

    def items(self, departement):
        return list(selectors.actualites_publiees(departement=departement)[:NOMBRE_ENTREES])

    def item_title(self, actualite):
        return actualite.titre

    def item_description(self, actualite):
        return actualite.resume

    def item_link(self, actualite):
        return reverse("reseau:actualite", args=[actualite.pk])

    def item_guid(self, actualite):
        return self.item_link(actualite)

    def item_pubdate(self, actualite):
        # The publication date at midnight, Paris time: feed readers need an instant.
        return timezone.make_aware(datetime.datetime.combine(actualite.date, datetime.time()))

    def item_updateddate(self, actualite):
        return actualite.modifie_le

    def item_author_name(self, actualite):
        return actualite.auteur_libelle

    def item_categories(self, actualite):
        return [e.nom for e in actualite.etiquettes.all()]


class ActualitesAtom(ActualitesRSS):
    feed_type = Atom1Feed
