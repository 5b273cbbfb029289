// Fills each cluster-status slot of the page with its pre-rendered fragment from the status
// file(s) loaded just before (window.PlaybillStatus). Fragments are escaped HTML produced by
// the build; nothing here builds markup from data.
(function () {
  "use strict";
  var data = window.PlaybillStatus || {};
  var slots = document.querySelectorAll("[data-status-key]");
  for (var i = 0; i < slots.length; i++) {
    var slot = slots[i];
    var entry = data[slot.getAttribute("data-status-key")];
    var part = entry && entry[slot.getAttribute("data-status-part")];
    if (typeof part === "string") {
      slot.innerHTML = part;
      slot.setAttribute("data-status-loaded", "");
      if (window.PlaybillAge) window.PlaybillAge.refresh(slot);
    } else if (!slot.hasAttribute("data-status-optional")) {
      slot.textContent = "No cluster status has been published for this page.";
    } else {
      slot.hidden = true;
    }
  }
  // A link to #cluster-x arrives before the cards exist: scroll once they do.
  if (location.hash.length > 1) {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) target.scrollIntoView();
  }
})();
