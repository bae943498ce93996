// Door check-in: read the registration's QR code with the phone's camera where the browser can (standard
// BarcodeDetector + getUserMedia, no library), and fill the search field with the code. Without them the
// button stays hidden and the code is typed.
(function () {
  "use strict";
  var bloc = document.getElementById("camera");
  var champ = document.getElementById("q");
  if (!bloc || !champ || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var bouton = document.getElementById("camera-bouton");
  var video = document.getElementById("camera-video");
  var flux = null;
  var detecteur = null;
  var CODE = /^[A-HJ-NP-Z2-9]{8}$/;

  function extraireCode(texte) {
    texte = (texte || "").trim();
    if (CODE.test(texte.toUpperCase())) { return texte.toUpperCase(); }
    try {
      var url = new URL(texte);
      var code = url.searchParams.get("code") || url.searchParams.get("q");
      if (code) { return code; }
    } catch (e) { /* not a URL: the text itself */ }
    return texte;
  }

  function arreter() {
    if (flux) { flux.getTracks().forEach(function (piste) { piste.stop(); }); }
    flux = null;
    video.hidden = true;
    bouton.textContent = "Lire le QR code";
  }

  function lire() {
    if (!flux) { return; }
    detecteur.detect(video).then(function (codes) {
      if (codes.length) {
        champ.value = extraireCode(codes[0].rawValue);
        arreter();
        var formulaire = champ.form;
        if (formulaire.requestSubmit) { formulaire.requestSubmit(); } else { formulaire.submit(); }
        return;
      }
      window.setTimeout(lire, 250);
    }).catch(function () { window.setTimeout(lire, 500); });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) { return; }
    detecteur = new window.BarcodeDetector({ formats: ["qr_code"] });
    bloc.hidden = false;
    bouton.addEventListener("click", function () {
      if (flux) { arreter(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (f) {
          flux = f;
          video.srcObject = f;
          video.hidden = false;
          bouton.textContent = "Arrêter la caméra";
          return video.play();
        })
        .then(lire)
        .catch(function () {
          arreter();
          bouton.textContent = "Caméra indisponible : tapez le code";
          bouton.disabled = true;
        });
    });
  }).catch(function () { /* unsupported: the code is typed */ });
})();
