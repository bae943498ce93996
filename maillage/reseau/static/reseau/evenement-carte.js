/* The map of an event's place ([data-evenement-carte]: data-longitude, data-latitude, data-nom). The address is
   always written above it; without Leaflet the status line says so. */
(function () {
  "use strict";

  function carte(conteneur) {
    var base = window.MaillageCarte;
    var lat = parseFloat(conteneur.dataset.latitude);
    var lon = parseFloat(conteneur.dataset.longitude);
    if (isNaN(lat) || isNaN(lon)) return;
    var c = base.nouvelleCarte(conteneur);
    base.marqueur(lat, lon, "hypothese", conteneur.dataset.nom || "").addTo(c);
    c.setView([lat, lon], 15);
    base.etat(conteneur, "");
    // The commune's outline gives the point a context without any tile server; optional.
    if (!conteneur.dataset.contour) return;
    fetch(conteneur.dataset.contour, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (reponse) {
        return reponse.ok ? reponse.json() : null;
      })
      .then(function (donnees) {
        if (!donnees) return;
        var communes = (donnees.features || []).filter(function (f) {
          return (f.properties || {}).categorie !== "qpv";
        });
        if (!communes.length) return;
        L.geoJSON(
          { type: "FeatureCollection", features: communes },
          {
            interactive: false,
            style: function () {
              return { className: "carte__commune carte__commune--seule" };
            },
          }
        )
          .addTo(c)
          .bringToBack();
      })
      .catch(function () {});
  }

  function demarrer() {
    var conteneurs = document.querySelectorAll("[data-evenement-carte]");
    if (!window.L || !window.MaillageCarte) {
      Array.prototype.forEach.call(conteneurs, function (conteneur) {
        var etat = conteneur.querySelector("[data-carte-etat]");
        if (etat) etat.textContent = "La carte n'a pas pu être chargée.";
      });
      return;
    }
    Array.prototype.forEach.call(conteneurs, carte);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
