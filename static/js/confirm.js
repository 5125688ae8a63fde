/* The cancel confirmations (templates/macros/cancel.html): "Không hủy" closes the <details>
 * in place instead of loading the page again, and Escape closes an open one; focus goes back
 * to its summary. Without JavaScript the link reloads the page, which closes it too. */
(function () {
  "use strict";

  function close(details) {
    details.open = false;
    var summary = details.querySelector("summary");
    if (summary) summary.focus();
  }

  document.addEventListener("click", function (event) {
    var keep = event.target.closest && event.target.closest("[data-confirm-keep]");
    var details = keep && keep.closest("details.confirm");
    if (!details) return;
    event.preventDefault();
    close(details);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var details = event.target.closest && event.target.closest("details.confirm[open]");
    if (details) close(details);
  });
})();
