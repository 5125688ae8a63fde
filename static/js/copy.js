/* Copy buttons: a <button data-copy="value" hidden> puts its value on the clipboard.
 *
 * The buttons come hidden, so that without JavaScript the page shows only the values, as text
 * to select; this script shows them where copying can work, also in content htmx swaps in
 * (the order page's transfers, polled). The clipboard API needs a secure page (https or
 * localhost); elsewhere the older execCommand("copy") on a hidden text area is tried. What
 * happened is said on the button for two seconds and read out through #announcer (base.html):
 * its data-copied text, or data-copy-failed, with the value selected for copying by hand.
 */
(function () {
  "use strict";

  var SAID_FOR = 2000; // ms; a failure stays twice as long, to be read

  function canCopy() {
    return (
      !!(navigator.clipboard && window.isSecureContext) ||
      !!(document.queryCommandSupported && document.queryCommandSupported("copy"))
    );
  }

  function reveal(root) {
    if (!canCopy() || !root.querySelectorAll) return;
    root.querySelectorAll("button[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function copyByCommand(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-buffer";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () {
          return true;
        },
        function () {
          return copyByCommand(text);
        }
      );
    }
    return Promise.resolve(copyByCommand(text));
  }

  function selectValue(button) {
    var value = button.parentElement && button.parentElement.querySelector(".copy-value");
    var selection = window.getSelection && window.getSelection();
    if (!value || !selection) return;
    var range = document.createRange();
    range.selectNodeContents(value);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function say(button, text, longer) {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = text;
    var announcer = document.getElementById("announcer");
    if (announcer) announcer.textContent = text;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () {
      button.textContent = button.dataset.label;
    }, longer ? 2 * SAID_FOR : SAID_FOR);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    copy(button.getAttribute("data-copy")).then(function (copied) {
      if (copied) {
        say(button, button.getAttribute("data-copied"));
      } else {
        selectValue(button);
        say(button, button.getAttribute("data-copy-failed"), true);
      }
    });
  });

  document.addEventListener("htmx:load", function (event) {
    reveal(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      reveal(document);
    });
  } else {
    reveal(document);
  }
})();
