// Phone menu: the « Menu » link (which opens the navigation through :target without JavaScript) becomes a real
// button with aria-expanded; Escape closes the menu or an open sub-menu and gives the focus back.
(function () {
  "use strict";
  var lien = document.getElementById("menu-bouton");
  var navigation = document.getElementById("navigation");
  if (!lien || !navigation) {
    return;
  }
  var bouton = document.createElement("button");
  bouton.type = "button";
  bouton.id = lien.id;
  bouton.className = lien.className;
  bouton.textContent = lien.textContent;
  bouton.setAttribute("aria-controls", "navigation");
  bouton.setAttribute("aria-expanded", "false");
  lien.replaceWith(bouton);
  document.documentElement.classList.add("avec-js");

  function ouvrir(ouvert) {
    bouton.setAttribute("aria-expanded", ouvert ? "true" : "false");
    navigation.classList.toggle("navigation--ouverte", ouvert);
  }

  bouton.addEventListener("click", function () {
    var ouvert = bouton.getAttribute("aria-expanded") !== "true";
    ouvrir(ouvert);
    if (ouvert) {
      var premier = navigation.querySelector("a, summary, button");
      if (premier) {
        premier.focus();
      }
    }
  });

  var fermer = navigation.querySelector(".navigation__fermer");
  if (fermer) {
    fermer.addEventListener("click", function (evenement) {
      evenement.preventDefault();
      ouvrir(false);
      bouton.focus();
    });
  }

  var sousMenus = navigation.querySelectorAll("details.sous-menu__details");
  // One sub-menu open at a time; a click elsewhere closes them (they float over the page on wide screens).
  sousMenus.forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (details.open) {
        sousMenus.forEach(function (autre) {
          if (autre !== details) {
            autre.open = false;
          }
        });
      }
    });
  });
  document.addEventListener("click", function (evenement) {
    sousMenus.forEach(function (details) {
      if (details.open && !details.contains(evenement.target)) {
        details.open = false;
      }
    });
  });

  document.addEventListener("keydown", function (evenement) {
    if (evenement.key !== "Escape") {
      return;
    }
    var ouvertDetails = navigation.querySelector("details.sous-menu__details[open]");
    if (ouvertDetails) {
      ouvertDetails.open = false;
      ouvertDetails.querySelector("summary").focus();
      return;
    }
    if (bouton.getAttribute("aria-expanded") === "true") {
      ouvrir(false);
      bouton.focus();
    }
  });
})();
