// "What changed": checkboxes that show or hide changes by kind. Without script every change
// shows and the filter stays hidden.
(function () {
  "use strict";
  var filter = document.querySelector(".change-filter");
  if (!filter) return;
  var status = document.getElementById("change-filter-status");
  function apply() {
    var shown = {};
    filter.querySelectorAll("input[name=change]").forEach(function (box) {
      shown[box.value] = box.checked;
    });
    var visible = 0;
    document.querySelectorAll(".change-list .change").forEach(function (li) {
      var on = shown[li.getAttribute("data-change")] !== false;
      li.hidden = !on;
      if (on) visible++;
    });
    document.querySelectorAll(".change-set").forEach(function (set) {
      set.hidden = !set.querySelector(".change:not([hidden])");
    });
    if (status) status.textContent = visible + " changes shown";
  }
  filter.hidden = false;
  filter.addEventListener("change", apply);
})();
