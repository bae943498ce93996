/* What every Leaflet map of Maillage shares: French zoom buttons, reduced motion, a tile layer only when the
   Caf configured one (data-tuiles-url / data-tuiles-attribution), the status line under the map, tooltips as
   DOM text, and structure markers out of the tab order. Loaded after leaflet.js, before the page's own script.
   The structure symbols (shape and colour per type) are defined here only; the legends
   (structures/_legende_types.html, diagnostic.css) repeat the same colours. Colours are SVG attributes, not
   inline styles: the CSP allows no style attribute. */
window.MaillageCarte = (function () {
  "use strict";

  var SYMBOLES = {
    centre_social:
      '<svg width="18" height="18" viewBox="0 0 16 16" aria-hidden="true" focusable="false">' +
      '<circle cx="8" cy="8" r="6.5" fill="#0b5c8a" stroke="#ffffff" stroke-width="1.5"/></svg>',
    evs:
      '<svg width="18" height="18" viewBox="0 0 16 16" aria-hidden="true" focusable="false">' +
      '<path d="M8 1 L15 8 L8 15 L1 8 Z" fill="#4b2a86" stroke="#ffffff" stroke-width="1.5"/></svg>',
    hypothese:
      '<svg width="20" height="20" viewBox="0 0 16 16" aria-hidden="true" focusable="false">' +
      '<path d="M8 1 L9.8 6 L15 6 L10.8 9.2 L12.4 14.5 L8 11.3 L3.6 14.5 L5.2 9.2 L1 6 L6.2 6 Z" ' +
      'fill="#1a7f37" stroke="#ffffff" stroke-width="1.2"/></svg>',
  };
  var LIBELLES = { centre_social: "Centre social", evs: "Espace de vie sociale" };

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
  // `type`: a key of SYMBOLES (a structure type, or "hypothese"); an unknown type is drawn as a centre social.
  function marqueur(lat, lon, type, titre) {
    var html = SYMBOLES[type] || SYMBOLES.centre_social;
    return L.marker([lat, lon], {
      keyboard: false,
      icon: L.divIcon({ className: "carte__structure", html: html, iconSize: [18, 18], iconAnchor: [9, 9] }),
      title: titre,
      alt: titre,
      riseOnHover: true,
    });
  }

  return {
    mouvementReduit: mouvementReduit,
    etat: etat,
    texte: texte,
    nouvelleCarte: nouvelleCarte,
    marqueur: marqueur,
    libelles: LIBELLES,
  };
})();
