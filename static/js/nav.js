/* On a phone an area's menu (.dash-nav) is one row that scrolls sideways: show the tab of the
 * page you are on, which may be past the right edge. */
(function () {
  "use strict";
  var current = document.querySelector(".dash-nav [aria-current=page]");
  if (!current) return;
  var nav = current.parentElement;
  if (nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = current.offsetLeft - nav.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2;
  }
})();
