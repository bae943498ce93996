/* Maps of communes (Leaflet, vector outlines, no tile server unless configured).
   Every map is a [data-carte] element: data-geojson (URL of a FeatureCollection), optional data-tuiles-url and
   data-tuiles-attribution. Colours live in the CSS (classes on the paths): the CSP allows no inline style. */
(function () {
  "use strict";

  var formatNombre = new Intl.NumberFormat("fr-FR");

  function classeQpv(nombre) {
    if (!nombre) return "";
    if (nombre === 1) return " carte__commune--qpv-1";
    if (nombre <= 3) return " carte__commune--qpv-2";
    return " carte__commune--qpv-4";
  }

  function classeDe(feature, seule) {
    var p = feature.properties || {};
    if (p.categorie === "qpv") return "carte__qpv";
    if (seule) return "carte__commune carte__commune--seule";
    return "carte__commune" + classeQpv(p.qpv);
  }

  // Tooltip content as DOM text, never as HTML: names come from data files.
  function infobulle(p) {
    var texte = p.nom || p.code || "";
    if (p.categorie === "qpv") {
      texte = "Quartier prioritaire : " + texte + (p.generation ? " (génération " + p.generation + ")" : "");
    } else {
      if (typeof p.population === "number") texte += " — " + formatNombre.format(p.population) + " hab.";
      if (typeof p.qpv === "number" && p.qpv > 0) texte += " — " + p.qpv + " QPV";
    }
    var span = document.createElement("span");
    span.textContent = texte;
    return span;
  }

  var etat = window.MaillageCarte.etat;

  function initialiser(conteneur) {
    if (!window.L) {
      etat(conteneur, "La carte n'a pas pu être chargée.");
      return;
    }
    etat(conteneur, "Chargement de la carte…");
    var carte = window.MaillageCarte.nouvelleCarte(conteneur);

    fetch(conteneur.dataset.geojson, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (reponse) {
        if (!reponse.ok) throw new Error("HTTP " + reponse.status);
        return reponse.json();
      })
      .then(function (donnees) {
        var features = donnees.features || [];
        var communes = features.filter(function (f) {
          return (f.properties || {}).categorie !== "qpv";
        });
        var seule = communes.length === 1;
        var couche = L.geoJSON(donnees, {
          style: function (feature) {
            return { className: classeDe(feature, seule) };
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties || {};
            layer.bindTooltip(infobulle(p), { sticky: true, direction: "top" });
            if (p.url) {
              layer.on("click", function () {
                window.location.assign(p.url);
              });
            }
          },
        }).addTo(carte);
        // QPV above their commune, so that both stay visible.
        couche.eachLayer(function (layer) {
          if ((layer.feature.properties || {}).categorie === "qpv") layer.bringToFront();
        });
        if (!features.length) {
          etat(conteneur, "Aucun contour n'est disponible pour ce territoire.");
          return;
        }
        carte.fitBounds(couche.getBounds(), { padding: [12, 12], animate: false });
        conteneur.dataset.carteChargee = String(features.length);
        etat(conteneur, "");
      })
      .catch(function () {
        etat(conteneur, "La carte n'a pas pu être chargée. Les informations restent disponibles sur cette page.");
      });
  }

  function demarrer() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-carte]"), initialiser);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
