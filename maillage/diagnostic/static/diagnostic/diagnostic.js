/* Maps of the diagnostic territorial (Leaflet, vector outlines, no tile server unless configured).
   [data-diagnostic-carte]: data-geojson (communes' outlines), data-qpv (QPV outlines or points), data-donnees
   (id of a json_script: {communes: {code: [class, tooltip]}, structures: [[lon, lat, type, nom, url]],
   hypothetiques: [[lon, lat, type, nom]], qpv: {code: served}}), data-simulation (a click on a commune fills the simulation form).
   Colours live in the CSS (classes on the paths); the structure symbols come from carte-base.js. */
(function () {
  "use strict";

  var base = window.MaillageCarte;
  var etat = base.etat;
  var texte = base.texte;
  var LIBELLES = base.libelles;
  var marqueur = base.marqueur;

  function lireJson(id) {
    var element = document.getElementById(id);
    if (!element) return {};
    try {
      return JSON.parse(element.textContent);
    } catch (e) {
      return {};
    }
  }

  // --- Simulation form: a click on the map fills the next free row ----------------------------------------

  function formulaire() {
    return document.getElementById("formulaire-simulation");
  }

  function lignes() {
    var form = formulaire();
    return form ? Array.prototype.slice.call(form.querySelectorAll("[data-ajout]")) : [];
  }

  function ajouterLigne() {
    var form = formulaire();
    var modele = form && form.parentNode.querySelector("[data-ajout-modele]");
    var total = form && form.querySelector('input[name="ajout-TOTAL_FORMS"]');
    if (!modele || !total) return null;
    var index = parseInt(total.value, 10);
    var html = modele.innerHTML.replace(/__prefix__/g, String(index)).replace(/__numero__/g, String(index + 1));
    var conteneur = form.querySelector("[data-ajouts]");
    conteneur.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var lignesActuelles = lignes();
    return lignesActuelles[lignesActuelles.length - 1];
  }

  function ligneLibre() {
    var libre = lignes().filter(function (ligne) {
      var select = ligne.querySelector("select[name$='-commune']");
      return select && !select.value;
    })[0];
    return libre || ajouterLigne();
  }

  function remplir(code, nom, latlng) {
    var ligne = ligneLibre();
    if (!ligne) return;
    ligne.querySelector("select[name$='-commune']").value = code;
    ligne.querySelector("input[name$='-longitude']").value = latlng.lng.toFixed(5);
    ligne.querySelector("input[name$='-latitude']").value = latlng.lat.toFixed(5);
    var nomChamp = ligne.querySelector("input[name$='-nom']");
    if (nomChamp && !nomChamp.value) nomChamp.value = "Structure hypothétique à " + nom;
    var annonce = document.getElementById("annonce-carte");
    var legende = ligne.querySelector("legend");
    if (annonce) annonce.textContent = (legende ? legende.textContent + " : " : "") + nom + ", point placé.";
  }

  function demarrerFormulaire() {
    var bouton = document.querySelector("[data-ajout-ligne]");
    if (!bouton) return;
    bouton.hidden = false;
    bouton.addEventListener("click", function () {
      var ligne = ajouterLigne();
      if (ligne) {
        var champ = ligne.querySelector("input, select");
        if (champ) champ.focus();
      }
    });
  }

  // --- Map ----------------------------------------------------------------------------------------------

  function initialiser(conteneur) {
    if (!window.L) {
      etat(conteneur, "La carte n'a pas pu être chargée.");
      return;
    }
    var donnees = lireJson(conteneur.dataset.donnees);
    var communes = donnees.communes || {};
    var simulation = conteneur.hasAttribute("data-simulation");
    etat(conteneur, "Chargement de la carte…");
    var carte = base.nouvelleCarte(conteneur);

    var marqueurs = L.layerGroup();
    var nombreMarqueurs = 0;
    (donnees.structures || []).forEach(function (s) {
      var titre = (LIBELLES[s[2]] || "Structure") + " : " + s[3];
      var m = marqueur(s[1], s[0], s[2], titre);
      m.bindTooltip(texte(titre), { direction: "top" });
      if (s[4] && !simulation) {
        m.on("click", function () {
          window.location.assign(s[4]);
        });
      }
      marqueurs.addLayer(m);
      nombreMarqueurs += 1;
    });
    (donnees.hypothetiques || []).forEach(function (s) {
      var titre = "Structure hypothétique (" + (LIBELLES[s[2]] || "structure").toLowerCase() + ") : " + s[3];
      var m = marqueur(s[1], s[0], "hypothese", titre);
      m.bindTooltip(texte(titre), { direction: "top" });
      marqueurs.addLayer(m);
      nombreMarqueurs += 1;
    });

    fetch(conteneur.dataset.geojson, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (reponse) {
        if (!reponse.ok) throw new Error("HTTP " + reponse.status);
        return reponse.json();
      })
      .then(function (geojson) {
        var features = (geojson.features || []).filter(function (f) {
          return communes[(f.properties || {}).code];
        });
        var couche = L.geoJSON(
          { type: "FeatureCollection", features: features },
          {
            style: function (feature) {
              var classe = communes[feature.properties.code][0];
              return { className: "carte__commune diag-c" + classe };
            },
            onEachFeature: function (feature, layer) {
              var p = feature.properties;
              layer.bindTooltip(texte(communes[p.code][1]), { sticky: true, direction: "top" });
              layer.on("click", function (evenement) {
                if (simulation) {
                  remplir(p.code, p.nom, evenement.latlng);
                  var m = marqueur(evenement.latlng.lat, evenement.latlng.lng, "hypothese", "Nouvelle structure hypothétique");
                  marqueurs.addLayer(m);
                } else if (p.url) {
                  window.location.assign(p.url);
                }
              });
            },
          }
        ).addTo(carte);
        marqueurs.addTo(carte);
        if (!features.length) {
          etat(conteneur, "Aucun contour n'est disponible pour ce territoire.");
          return;
        }
        carte.fitBounds(couche.getBounds(), { padding: [12, 12], animate: false });
        conteneur.dataset.carteChargee = String(features.length);
        conteneur.dataset.marqueurs = String(nombreMarqueurs);
        etat(conteneur, "");
        chargerQpv(conteneur, carte, donnees.qpv);
      })
      .catch(function () {
        etat(conteneur, "La carte n'a pas pu être chargée. Les informations restent disponibles sur cette page.");
      });
  }

  // QPV outlines (or points when only their position is known), above the communes; optional.
  function chargerQpv(conteneur, carte, donneesQpv) {
    if (!conteneur.dataset.qpv) return;
    fetch(conteneur.dataset.qpv, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (reponse) {
        if (!reponse.ok) throw new Error("HTTP " + reponse.status);
        return reponse.json();
      })
      .then(function (geojson) {
        var couche = L.geoJSON(geojson, {
          interactive: true,
          style: function () {
            return { className: "carte__qpv" };
          },
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 6, className: "carte__qpv carte__qpv--point" });
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties || {};
            var servi = (donneesQpv || {})[p.code];
            var etatQpv = servi === false ? " — sans structure" : servi === true ? " — servi" : "";
            layer.bindTooltip(texte("Quartier prioritaire : " + (p.nom || p.code || "") + etatQpv), {
              sticky: true,
              direction: "top",
            });
          },
        }).addTo(carte);
        conteneur.dataset.qpvCharges = String((geojson.features || []).length);
        couche.bringToFront();
      })
      .catch(function () {
        /* The communes and the markers are enough. */
      });
  }

  function demarrer() {
    demarrerFormulaire();
    Array.prototype.forEach.call(document.querySelectorAll("[data-diagnostic-carte]"), initialiser);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
