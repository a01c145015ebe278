// Copy-link and print buttons: shown only when JavaScript can run them.
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(
        function () { if (status) status.textContent = "Link copied."; },
        function () { if (status) status.textContent = "Copy failed: select the link and copy it."; }
      );
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
