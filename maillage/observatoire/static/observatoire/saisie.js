// Answering a questionnaire section: tell the user what the autosave (htmx) is doing.
// The server answers each autosave with the re-rendered section and "Enregistré à HH:MM" (or a conflict message);
// this only covers the moments before the answer and the failures htmx does not swap in.
(function () {
  "use strict";
  function statut(texte, niveau) {
    var zone = document.getElementById("statut-enregistrement");
    if (!zone) return;
    zone.textContent = texte;
    // Never green while waiting or failing: the server's answer sets the colour again.
    zone.className = niveau ? "saisie-statut saisie-statut--" + niveau : "saisie-statut";
  }
  function duFormulaire(evenement) {
    return evenement.target && evenement.target.id === "formulaire-section";
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (duFormulaire(e)) statut("Enregistrement…");
  });
  document.addEventListener("htmx:responseError", function (e) {
    if (duFormulaire(e)) statut("Non enregistré : rechargez la page, puis saisissez à nouveau vos dernières réponses.", "erreur");
  });
  document.addEventListener("htmx:sendError", function (e) {
    if (duFormulaire(e)) statut("Non enregistré : la connexion a échoué. Réessayez avec le bouton « Enregistrer ».", "erreur");
  });
})();
