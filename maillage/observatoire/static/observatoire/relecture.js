// Review page: keyboard shortcuts to the next (j) and previous (k) answer of the follow-up list.
// The links ("Réponse suivante / précédente", rel=next/prev) work without this file; the shortcuts are single
// keys, so they can be turned off (WCAG 2.1.4), the choice kept in this browser, and never fire inside a field.
(function () {
  "use strict";
  var CLE = "maillage-relecture-raccourcis";
  var bloc = document.getElementById("raccourcis");
  var bascule = document.getElementById("raccourcis-actifs");
  if (!bloc || !bascule) return;
  function lire() {
    try { return window.localStorage.getItem(CLE) !== "non"; } catch (e) { return true; }
  }
  bloc.hidden = false;
  bascule.checked = lire();
  bascule.addEventListener("change", function () {
    try { window.localStorage.setItem(CLE, bascule.checked ? "oui" : "non"); } catch (e) { /* private mode */ }
  });
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || !bascule.checked) return;
    var cible = e.target;
    if (cible && (cible.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(cible.tagName))) return;
    var lien = document.querySelector('a[data-raccourci="' + e.key + '"]');
    if (!lien) return;
    e.preventDefault();
    window.location.assign(lien.href);
  });
})();
