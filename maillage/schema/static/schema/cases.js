// Long check-box lists of the schéma forms (communes, QPV, structures, organisations, accounts): a filter field
// above each list, and the number of boxes ticked, so that they stay usable on a phone. Without the script the
// list is still there, in its scrolling box.
(function () {
  "use strict";
  document.querySelectorAll("div.cases-defilantes").forEach(function (liste, rang) {
    var options = Array.prototype.slice.call(liste.querySelectorAll("input[type=checkbox]"));
    if (options.length < 8) return;
    var groupe = liste.closest("fieldset");
    var legende = groupe ? groupe.querySelector("legend") : null;
    var nom = legende ? legende.textContent.trim() : "la liste";
    var zone = document.createElement("div");
    zone.className = "cases-filtre";
    var id = "filtre-cases-" + rang;
    var etiquette = document.createElement("label");
    etiquette.htmlFor = id;
    etiquette.textContent = "Filtrer : " + nom;
    var champ = document.createElement("input");
    champ.type = "search";
    champ.id = id;
    champ.autocomplete = "off";
    var compte = document.createElement("p");
    compte.className = "aide";
    compte.setAttribute("aria-live", "polite");
    zone.append(etiquette, champ, compte);
    liste.parentNode.insertBefore(zone, liste);

    function sansAccent(texte) {
      return texte.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    }
    function compter() {
      var coches = options.filter(function (o) { return o.checked; }).length;
      compte.textContent = coches + " coché" + (coches > 1 ? "s" : "") + " sur " + options.length + ".";
    }
    champ.addEventListener("input", function () {
      var cherche = sansAccent(champ.value.trim());
      options.forEach(function (option) {
        var ligne = option.closest("div");
        var texte = sansAccent(ligne.textContent);
        ligne.hidden = cherche !== "" && texte.indexOf(cherche) === -1 && !option.checked;
      });
    });
    liste.addEventListener("change", compter);
    compter();
  });
})();
