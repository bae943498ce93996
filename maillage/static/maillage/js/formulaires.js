// Forms. The summary of errors (partials/formulaire_erreurs.html) takes the focus when a form comes back refused,
// so that it is read first and its links lead to the fields. Long checkbox lists (core.widgets.
// CasesACocherFiltrables) get a filter box above the list, accents and case ignored, and the count of checked
// items kept up to date. Without this script the forms still work.
(function () {
  "use strict";

  function normaliser(texte) {
    return texte.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function preparer(bloc, numero) {
    var liste = bloc.querySelector(".cases-filtrables__liste");
    var compte = bloc.querySelector(".cases-filtrables__compte");
    if (!liste || bloc.hasAttribute("data-cases-pretes")) return;
    bloc.setAttribute("data-cases-pretes", "");
    var options = Array.prototype.slice.call(bloc.querySelectorAll(".cases-filtrables__option"));

    var zone = document.createElement("div");
    zone.className = "cases-filtrables__filtre";
    var identifiant = (liste.id || "cases-" + numero) + "_filtre";
    var libelle = document.createElement("label");
    libelle.setAttribute("for", identifiant);
    libelle.textContent = "Filtrer les " + bloc.getAttribute("data-nom-pluriel");
    var champ = document.createElement("input");
    champ.type = "search";
    champ.id = identifiant;
    champ.autocomplete = "off";
    champ.setAttribute("aria-controls", liste.id || "");
    var resultat = document.createElement("p");
    resultat.className = "cases-filtrables__resultat";
    resultat.setAttribute("aria-live", "polite");
    zone.appendChild(libelle);
    zone.appendChild(champ);
    zone.appendChild(resultat);
    bloc.insertBefore(zone, liste);

    function compter() {
      var n = bloc.querySelectorAll('input[type="checkbox"]:checked').length;
      var modele = n === 0 ? "data-compte-zero" : n === 1 ? "data-compte-un" : "data-compte-plusieurs";
      compte.textContent = bloc.getAttribute(modele).replace("{n}", String(n));
    }

    function filtrer() {
      var cherche = normaliser(champ.value);
      var visibles = 0;
      options.forEach(function (option) {
        var montre = !cherche || normaliser(option.textContent).indexOf(cherche) !== -1;
        option.hidden = !montre;
        if (montre) visibles += 1;
      });
      resultat.textContent = cherche
        ? visibles === 0
          ? "Aucun résultat."
          : visibles + " sur " + options.length + " affiché" + (visibles > 1 ? "s" : "") + "."
        : "";
    }

    champ.addEventListener("input", filtrer);
    // Enter in the filter must not submit the whole form.
    champ.addEventListener("keydown", function (evenement) {
      if (evenement.key === "Enter") evenement.preventDefault();
    });
    bloc.addEventListener("change", compter);
  }

  function demarrer() {
    var resume = document.getElementById("erreurs-formulaire");
    if (resume && !resume.hasAttribute("data-vu")) {
      resume.setAttribute("data-vu", "");
      resume.focus();
    }
    var blocs = document.querySelectorAll("[data-cases-filtrables]");
    for (var i = 0; i < blocs.length; i++) preparer(blocs[i], i + 1);
  }

  document.addEventListener("htmx:afterSettle", demarrer);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", demarrer);
  } else {
    demarrer();
  }
})();
