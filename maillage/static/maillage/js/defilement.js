// Tables wider than their box: a visible hint "Faites défiler le tableau horizontalement" above each
// `.tableau-defilant` that overflows (recomputed when the box is resized), and the keyboard reach axe asks for
// (a focusable region named after the table) when a template forgot it.
(function () {
  "use strict";

  var AIDE = "Faites défiler le tableau horizontalement pour voir toutes les colonnes.";
  var numero = 0;

  function nommer(boite) {
    if (!boite.hasAttribute("tabindex")) boite.setAttribute("tabindex", "0");
    if (!boite.hasAttribute("role")) boite.setAttribute("role", "region");
    if (!boite.hasAttribute("aria-label") && !boite.hasAttribute("aria-labelledby")) {
      var legende = boite.querySelector("caption");
      var nom = legende ? legende.textContent.trim().replace(/\s+/g, " ") : "Tableau";
      boite.setAttribute("aria-label", nom + " (défilement horizontal possible)");
    }
  }

  function preparer(boite) {
    if (boite.hasAttribute("data-defilement")) return;
    boite.setAttribute("data-defilement", "");
    nommer(boite);
    var aide = document.createElement("p");
    numero += 1;
    aide.id = "aide-defilement-" + numero;
    aide.className = "defilement__aide";
    aide.textContent = AIDE;
    aide.hidden = true;
    boite.parentNode.insertBefore(aide, boite);
    var decrit = boite.getAttribute("aria-describedby");
    boite.setAttribute("aria-describedby", (decrit ? decrit + " " : "") + aide.id);

    function mesurer() {
      var deborde = boite.scrollWidth > boite.clientWidth + 1;
      aide.hidden = !deborde;
      boite.classList.toggle("tableau-defilant--deborde", deborde);
    }
    mesurer();
    if (window.ResizeObserver) {
      new ResizeObserver(mesurer).observe(boite);
    } else {
      window.addEventListener("resize", mesurer);
    }
  }

  function demarrer() {
    var boites = document.querySelectorAll(".tableau-defilant");
    for (var i = 0; i < boites.length; i++) preparer(boites[i]);
  }

  // Parts of pages replaced by htmx (filters of the dashboard, the directory) bring new tables.
  document.addEventListener("htmx:afterSettle", demarrer);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
