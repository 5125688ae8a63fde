/* After an htmx swap: keep keyboard focus off <body> and tell screen readers what changed.
 *
 * Focus: htmx itself puts focus back on an element whose id is in the new content (so the
 * controls that stay have stable ids). When the focused element went away with the swap,
 * focus moves to the new content: its [data-swap-focus] element, else its first heading, else
 * the swapped element itself.
 *
 * Announcements: the text of every [data-announce] element in swapped content (its
 * aria-label if it has one) is read out through #announcer, one polite live region in
 * base.html that is never replaced. Content already inside a kept live region (aria-live on
 * an element htmx fills, not replaces) is left to that region.
 */
(function () {
  "use strict";

  var LIVE = "[aria-live], [role=status], [role=alert], [role=log]";
  var focusWasInside = new WeakSet(); // requests whose swap replaced the focused element
  var pending = []; // [data-announce] elements to read out together
  var timer = null;

  function announce(elements) {
    var announcer = document.getElementById("announcer");
    if (!announcer) return;
    elements.forEach(function (element) {
      if (pending.indexOf(element) < 0) pending.push(element);
    });
    if (timer) return;
    announcer.textContent = "";
    // A short pause lets the same text (the same month twice, say) be read again.
    timer = setTimeout(function () {
      // Out-of-band swaps run first and report the main target's old content, which the
      // main swap then replaced: read out only what is still on the page.
      announcer.textContent = pending
        .filter(function (element) {
          return element.isConnected;
        })
        .map(function (element) {
          return (element.getAttribute("aria-label") || element.textContent)
            .replace(/\s+/g, " ")
            .trim();
        })
        .filter(Boolean)
        .join(" ");
      pending = [];
      timer = null;
    }, 150);
  }

  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function moveFocusInto(region) {
    var spot =
      region.querySelector("[data-swap-focus]") ||
      region.querySelector("h1, h2, h3, h4") ||
      region;
    if (!spot.matches("a[href], button, input, select, textarea, [tabindex]")) {
      spot.setAttribute("tabindex", "-1");
    }
    spot.focus();
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    if (target && active && active !== document.body && target.contains(active)) {
      focusWasInside.add(event.detail.xhr);
    }
  });

  function swapped(event) {
    var region = event.target;
    if (!(region instanceof Element)) return;
    if (!region.isConnected && region.id) region = document.getElementById(region.id);
    if (!region) return;
    var target = event.detail.target; // the swapped element (or the one it replaced)
    var isTarget = target === region || (target && target.id && target.id === region.id);
    if (
      event.type === "htmx:afterSwap" &&
      isTarget &&
      focusWasInside.has(event.detail.xhr) &&
      focusLost()
    ) {
      moveFocusInto(region);
    }
    var found = Array.prototype.slice.call(region.querySelectorAll("[data-announce]"));
    if (region.matches("[data-announce]")) found.unshift(region);
    found = found.filter(function (element) {
      return !(element.parentElement && element.parentElement.closest(LIVE));
    });
    if (found.length) announce(found);
  }

  document.addEventListener("htmx:afterSwap", swapped);
  // Out-of-band swaps (the header's cart count); an element is read out once even if both
  // events name it.
  document.addEventListener("htmx:oobAfterSwap", swapped);
})();
