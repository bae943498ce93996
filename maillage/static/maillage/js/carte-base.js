/* What every Leaflet map of Maillage shares: French zoom buttons, reduced motion, a tile layer only when the
   Caf configured one (data-tuiles-url / data-tuiles-attribution), the status line under the map, tooltips as
   DOM text, and structure markers out of the tab order. Loaded after leaflet.js, before the page's own script. */
window.MaillageCarte = (function () {
  "use strict";

  var mouvementReduit = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // The status line of a map ([data-carte-etat]): loading, errors, empty results.
  function etat(conteneur, message) {
    var element = conteneur.querySelector("[data-carte-etat]");
    if (!element) return;
    element.hidden = !message;
    element.textContent = message || "";
  }

  // Tooltip content as DOM text, never as HTML: names come from users and data files.
  function texte(contenu) {
    var span = document.createElement("span");
    span.textContent = contenu;
    return span;
  }

  function nouvelleCarte(conteneur) {
    var carte = L.map(conteneur, {
      // Leaflet's own zoom buttons are labelled in English: ours are in French.
      zoomControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      zoomAnimation: !mouvementReduit,
      fadeAnimation: !mouvementReduit,
      markerZoomAnimation: !mouvementReduit,
    });
    L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(carte);
    carte.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="Bibliothèque JavaScript de cartes interactives">Leaflet</a>'
    );
    if (conteneur.dataset.tuilesUrl) {
      L.tileLayer(conteneur.dataset.tuilesUrl, {
        attribution: conteneur.dataset.tuilesAttribution || "",
        maxZoom: 19,
      }).addTo(carte);
    }
    // A view even before the data arrives: metropolitan France.
    carte.setView([46.6, 2.4], 5);
    return carte;
  }

  // Markers are not in the tab order: a map may hold thousands of them, and the table beside every map gives
  // keyboard and screen reader users the same structures with their links.
  function marqueur(lat, lon, html, titre) {
    return L.marker([lat, lon], {
      keyboard: false,
      icon: L.divIcon({ className: "carte__structure", html: html, iconSize: [18, 18], iconAnchor: [9, 9] }),
      title: titre,
      alt: titre,
      riseOnHover: true,
    });
  }

  return { mouvementReduit: mouvementReduit, etat: etat, texte: texte, nouvelleCarte: nouvelleCarte, marqueur: marqueur };
})();
