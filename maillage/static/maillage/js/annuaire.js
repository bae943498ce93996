/* Maps of the structures directory and of one structure's page (Leaflet, no tile server unless configured).
   [data-annuaire-carte]: data-geojson, URL of a FeatureCollection of points (properties nom, type, commune, url).
   [data-structure-carte]: data-longitude, data-latitude, data-nom, data-type, data-contour (the commune's outline).
   The structure symbols come from carte-base.js. */
(function () {
  "use strict";

  var base = window.MaillageCarte;
  var etat = base.etat;
  var texte = base.texte;
  var LIBELLES = base.libelles;
  var marqueur = base.marqueur;

  function nouvelleCarte(conteneur) {
    return base.nouvelleCarte(conteneur);
  }

  // The département's communes drawn faintly under the markers, so that the points have a context
  // without any tile server. Optional: the markers do not wait for it.
  function fond(carte, url) {
    if (!url) return;
    fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (reponse) {
        return reponse.ok ? reponse.json() : null;
      })
      .then(function (donnees) {
        if (!donnees) return;
        L.geoJSON(donnees, {
          interactive: false,
          style: { color: "#8a94a6", weight: 1, fillColor: "#e9edf3", fillOpacity: 0.6 },
        })
          .addTo(carte)
          .bringToBack();
      })
      .catch(function () {});
  }

  function annuaire(conteneur) {
    var carte = nouvelleCarte(conteneur);
    fond(carte, conteneur.dataset.contours);
    etat(conteneur, "Chargement de la carte…");
    fetch(conteneur.dataset.geojson, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (reponse) {
        if (!reponse.ok) throw new Error("HTTP " + reponse.status);
        return reponse.json();
      })
      .then(function (donnees) {
        var groupe = L.featureGroup();
        (donnees.features || []).forEach(function (f) {
          var p = f.properties || {};
          var c = f.geometry && f.geometry.coordinates;
          if (!c) return;
          var titre = (p.nom || "") + " — " + (LIBELLES[p.type] || "") + (p.commune ? ", " + p.commune : "");
          var m = marqueur(c[1], c[0], p.type, titre);
          m.bindTooltip(texte(titre), { direction: "top" });
          if (p.url) {
            m.on("click", function () {
              window.location.assign(p.url);
            });
          }
          groupe.addLayer(m);
        });
        groupe.addTo(carte);
        var nombre = groupe.getLayers().length;
        conteneur.dataset.carteChargee = String(nombre);
        if (!nombre) {
          etat(conteneur, "Aucune structure localisée ne correspond à ces critères.");
          return;
        }
        carte.fitBounds(groupe.getBounds(), { padding: [20, 20], maxZoom: 14, animate: false });
        etat(conteneur, "");
      })
      .catch(function () {
        etat(conteneur, "La carte n'a pas pu être chargée. La liste des structures reste disponible.");
      });
  }

  function structure(conteneur) {
    var carte = nouvelleCarte(conteneur);
    var lat = parseFloat(conteneur.dataset.latitude);
    var lon = parseFloat(conteneur.dataset.longitude);
    if (isNaN(lat) || isNaN(lon)) {
      etat(conteneur, "La position de la structure n'est pas renseignée.");
      return;
    }
    var nom = conteneur.dataset.nom || "";
    marqueur(lat, lon, conteneur.dataset.type, nom).bindTooltip(texte(nom), { direction: "top" }).addTo(carte);
    carte.setView([lat, lon], 14);
    conteneur.dataset.carteChargee = "1";
    etat(conteneur, "");
    if (!conteneur.dataset.contour) return;
    fetch(conteneur.dataset.contour, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (reponse) {
        if (!reponse.ok) throw new Error("HTTP " + reponse.status);
        return reponse.json();
      })
      .then(function (donnees) {
        var communes = (donnees.features || []).filter(function (f) {
          return (f.properties || {}).categorie !== "qpv";
        });
        if (!communes.length) return;
        var couche = L.geoJSON(
          { type: "FeatureCollection", features: communes },
          {
            interactive: false,
            style: function () {
              return { className: "carte__commune carte__commune--seule" };
            },
          }
        ).addTo(carte);
        couche.bringToBack();
        carte.fitBounds(couche.getBounds(), { padding: [12, 12], animate: false });
      })
      .catch(function () {
        /* The marker alone is enough. */
      });
  }

  function demarrer() {
    if (!window.L) {
      Array.prototype.forEach.call(
        document.querySelectorAll("[data-annuaire-carte], [data-structure-carte]"),
        function (conteneur) {
          etat(conteneur, "La carte n'a pas pu être chargée.");
        }
      );
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-annuaire-carte]"), annuaire);
    Array.prototype.forEach.call(document.querySelectorAll("[data-structure-carte]"), structure);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
