// Live reload for `playbill serve` only: never part of a built portal. Asks the server for its
// build generation once a second and reloads the page when a rebuild has finished.
(function () {
  'use strict';
  var seen = null;
  function poll() {
    fetch('/__playbill/generation', { cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (generation) {
        if (generation === null) return;
        if (seen !== null && generation !== seen) { window.location.reload(); return; }
        seen = generation;
      })
      .catch(function () {})
      .then(function () { setTimeout(poll, 1000); });
  }
  poll();
}());
