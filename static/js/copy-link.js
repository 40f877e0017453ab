// « Copier le lien »: shown only when JavaScript runs; without it, the link itself is there.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var link = document.getElementById(button.getAttribute("data-copy"));
  var status = button.parentNode.querySelector(".copy-status");
  if (!link || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(link.href).then(function () {
      if (status) { status.textContent = "Lien copié."; }
    }, function () {
      if (status) { status.textContent = "Copie impossible : sélectionne le lien ci-dessus."; }
    });
  });
});
