// Map preview of a grouping being drawn: the département's communes, the checked ones coloured; a click on a
// commune checks or unchecks its box (the checkbox list stays the accessible way to choose).
(function () {
  "use strict";
  function init() {
    var conteneur = document.querySelector("[data-apercu-regroupement]");
    var form = conteneur && conteneur.closest("form");
    if (!conteneur || !form || typeof L === "undefined") return;
    var coche = function (code) {
      var c = form.querySelector('input[type="checkbox"][name="communes"][value="' + code + '"]');
      return c;
    };
    var style = function (feature) {
      var c = coche(feature.properties.code);
      var actif = c && c.checked;
      return { color: "#1d3f6e", weight: 1, fillColor: actif ? "#1d6fb8" : "#ffffff", fillOpacity: actif ? 0.7 : 0.2 };
    };
    conteneur.textContent = "";
    var carte = L.map(conteneur, { scrollWheelZoom: false });
    fetch(conteneur.dataset.geojson, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (donnees) {
        var couche = L.geoJSON(donnees, {
          style: style,
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(feature.properties.nom);
            layer.on("click", function () {
              var c = coche(feature.properties.code);
              if (c) { c.checked = !c.checked; c.dispatchEvent(new Event("change", { bubbles: true })); }
            });
          }
        }).addTo(carte);
        carte.fitBounds(couche.getBounds());
        form.addEventListener("change", function () { couche.setStyle(style); });
      })
      .catch(function () { conteneur.textContent = "Aperçu indisponible : la liste des communes cochées suffit."; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
