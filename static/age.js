/* Ages against the reader's clock. Pages carry plain dates (<time datetime data-age>) and never
   an age, so they stay the same from build to build; status/build.js and status/snapshot.js
   (window.PlaybillFreshness) say when the portal was built, when the cluster snapshot was taken
   and the [freshness] thresholds. Each date becomes "7 min ago" (the date stays in its title),
   amber or red past the thresholds for data-age="status"; a banner on every page says when the
   whole snapshot, or the portal itself, is older than the red threshold. Status fragments that
   arrive later (static/kubernetes.js) call PlaybillAge.refresh(slot). */
(function () {
  'use strict';

  var data = window.PlaybillFreshness || {};
  var build = data.build || {};
  var AMBER = build.amber || 3600, RED = build.red || 86400;

  function now() { return Math.floor(Date.now() / 1000); }

  // "just now", "7 min ago", "3 h ago", "4 days ago" (the same steps as the build's ages).
  function ago(secs) {
    var s = Math.max(0, secs);
    if (s < 60) return 'just now';
    if (s < 7200) return Math.floor(s / 60) + ' min ago';
    if (s < 172800) return Math.floor(s / 3600) + ' h ago';
    return Math.floor(s / 86400) + ' days ago';
  }

  function level(secs) { return secs >= RED ? 'red' : secs >= AMBER ? 'amber' : 'fresh'; }

  // `2026-11-23 10:33 UTC`, as the build writes dates.
  function dateText(t) {
    var iso = new Date(t * 1000).toISOString();
    return iso.slice(0, 10) + ' ' + iso.slice(11, 16) + ' UTC';
  }

  // Unix seconds a <time> stands for, or NaN.
  function timeOf(el) {
    if (el.getAttribute('data-age-of') === 'build') return build.built;
    return Date.parse(el.getAttribute('datetime')) / 1000;
  }

  function show(el, t) {
    if (!el.hasAttribute('data-date')) el.setAttribute('data-date', el.textContent || dateText(t));
    var secs = now() - t;
    el.textContent = ago(secs);
    el.title = el.getAttribute('data-date');
    if (el.getAttribute('data-age') === 'status') {
      var l = level(secs);
      el.setAttribute('data-age-level', l);
      el.classList.remove('age-fresh', 'age-amber', 'age-red');
      el.classList.add('age-' + l);
    }
    var wrap = el.closest('[data-age-wrap]');
    if (wrap) wrap.hidden = false;
  }

  function refresh(root) {
    var times = (root || document).querySelectorAll('time[data-age]');
    for (var i = 0; i < times.length; i++) {
      var t = timeOf(times[i]);
      if (typeof t === 'number' && isFinite(t)) show(times[i], t);
    }
    banner();
  }

  function line(text) {
    var p = document.createElement('p');
    p.textContent = text;
    return p;
  }

  // The site-wide banner: what is older than the red threshold, said once at the top.
  function banner() {
    var box = document.querySelector('.stale-banner');
    if (!box) return;
    var lines = [];
    var snap = data.snapshot;
    if (snap && typeof snap.taken_at === 'number' && now() - snap.taken_at >= RED) {
      lines.push(line('Cluster status is out of date: the last snapshot was taken ' + ago(now() - snap.taken_at) +
        ' (' + dateText(snap.taken_at) + '). Health shown here may no longer be true.'));
    }
    if (typeof build.built === 'number' && now() - build.built >= RED) {
      lines.push(line('This portal was built ' + ago(now() - build.built) + ' (' + dateText(build.built) +
        '): catalog, docs and repository figures may have changed since.'));
    }
    box.textContent = '';
    lines.forEach(function (l) { box.appendChild(l); });
    box.hidden = lines.length === 0;
  }

  window.PlaybillAge = { refresh: refresh, ago: ago };

  function init() {
    refresh(document);
    // A page left open keeps ageing.
    setInterval(function () { refresh(document); }, 60000);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
