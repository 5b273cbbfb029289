/* Catalog filters: progressive enhancement of the complete, static entity table.
   Filters live in the query string (?kind=component&owner=group:default/team-a&q=ledger)
   so a filtered view can be shared, and the header search form lands here with ?q=. */
(function () {
  'use strict';

  var SELECTS = ['kind', 'type', 'lifecycle', 'owner', 'system', 'tag', 'namespace'];
  var ATTR = {
    kind: 'data-kind', type: 'data-type', lifecycle: 'data-lifecycle', owner: 'data-owner',
    system: 'data-system', namespace: 'data-namespace'
  };

  function norm(s) { return String(s || '').trim().toLowerCase(); }

  function terms(q) {
    var t = norm(q);
    return t ? t.split(/\s+/) : [];
  }

  // Encode a query value, leaving ':' and '/' readable (both are legal in a query).
  function enc(v) {
    return encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2F/gi, '/');
  }

  function readQuery(search) {
    var out = {};
    var s = String(search || '').replace(/^\?/, '');
    if (!s) return out;
    s.split('&').forEach(function (pair) {
      if (!pair) return;
      var i = pair.indexOf('=');
      var k = i < 0 ? pair : pair.slice(0, i);
      var v = i < 0 ? '' : pair.slice(i + 1);
      try {
        k = decodeURIComponent(k.replace(/\+/g, ' '));
        v = decodeURIComponent(v.replace(/\+/g, ' '));
      } catch (e) { return; }
      if (!(k in out)) out[k] = v;
    });
    return out;
  }

  // One row's values, read once.
  function rowData(tr) {
    var d = { el: tr };
    Object.keys(ATTR).forEach(function (k) { d[k] = norm(tr.getAttribute(ATTR[k])); });
    d.tags = norm(tr.getAttribute('data-tags')).split(/\s+/).filter(Boolean);
    d.text = [norm(tr.getAttribute('data-text')), d.kind, d.type, d.owner, d.system, d.tags.join(' ')].join(' ');
    return d;
  }

  function matches(d, f) {
    for (var i = 0; i < SELECTS.length; i++) {
      var k = SELECTS[i];
      var want = f[k];
      if (!want) continue;
      if (k === 'tag') {
        if (d.tags.indexOf(want) < 0) return false;
      } else if (d[k] !== want) {
        return false;
      }
    }
    for (var j = 0; j < f.terms.length; j++) {
      if (d.text.indexOf(f.terms[j]) < 0) return false;
    }
    return true;
  }

  // Select the option matching `value` (case-insensitively); add one if the URL names a value
  // the page does not list, so the active filter stays visible and can be cleared.
  function setSelect(sel, value) {
    var v = norm(value);
    if (!v) { sel.value = ''; return; }
    for (var i = 0; i < sel.options.length; i++) {
      if (norm(sel.options[i].value) === v) { sel.selectedIndex = i; return; }
    }
    var opt = document.createElement('option');
    opt.value = value;
    opt.textContent = value + ' (not in catalog)';
    sel.appendChild(opt);
    sel.value = value;
  }

  function init() {
    var form = document.getElementById('catalog-filters');
    var table = document.getElementById('catalog-table');
    if (!form || !table || !table.tBodies || !table.tBodies.length) return;

    var rows = Array.prototype.map.call(table.tBodies[0].rows, rowData);
    var total = rows.length;
    var count = document.getElementById('catalog-count');
    var empty = document.getElementById('catalog-empty');
    var tableWrap = table.parentNode && table.parentNode.classList.contains('table-wrap') ? table.parentNode : table;
    var q = form.elements.namedItem('q');
    var selects = {};
    SELECTS.forEach(function (k) {
      var el = form.elements.namedItem(k);
      if (el && el.tagName === 'SELECT') selects[k] = el;
    });

    function current() {
      var f = { terms: terms(q ? q.value : '') };
      SELECTS.forEach(function (k) { f[k] = selects[k] ? norm(selects[k].value) : ''; });
      return f;
    }

    function queryString() {
      var parts = [];
      SELECTS.forEach(function (k) {
        if (selects[k] && selects[k].value) parts.push(k + '=' + enc(selects[k].value));
      });
      if (q && q.value.trim()) parts.push('q=' + enc(q.value.trim()));
      return parts.length ? '?' + parts.join('&') : '';
    }

    function updateUrl() {
      if (!window.history || !history.replaceState) return;
      var qs = queryString();
      if (qs === location.search) return;
      try {
        history.replaceState(history.state, '', location.pathname + qs + location.hash);
      } catch (e) { /* some browsers refuse on file:// — filtering still works */ }
    }

    function apply() {
      var f = current();
      var shown = 0;
      rows.forEach(function (d) {
        var ok = matches(d, f);
        d.el.hidden = !ok;
        if (ok) shown++;
      });
      if (count) {
        var noun = total === 1 ? 'entity' : 'entities';
        count.textContent = shown === total ? total + ' ' + noun : shown + ' of ' + total + ' ' + noun;
      }
      if (empty) empty.hidden = shown !== 0;
      tableWrap.hidden = shown === 0;
    }

    function fromUrl() {
      var params = readQuery(location.search);
      SELECTS.forEach(function (k) {
        if (selects[k]) setSelect(selects[k], params[k] || '');
      });
      if (q) q.value = params.q || '';
    }

    var timer = null;
    function onChange(e) {
      var delay = e && e.target === q ? 120 : 0;
      clearTimeout(timer);
      timer = setTimeout(function () { apply(); updateUrl(); }, delay);
    }

    function reset() {
      SELECTS.forEach(function (k) { if (selects[k]) selects[k].value = ''; });
      if (q) q.value = '';
      apply();
      updateUrl();
    }

    form.addEventListener('input', onChange);
    form.addEventListener('change', onChange);
    form.addEventListener('submit', function (e) { e.preventDefault(); apply(); updateUrl(); });
    form.addEventListener('reset', function (e) { e.preventDefault(); reset(); if (q) q.focus(); });
    var emptyReset = document.getElementById('catalog-empty-reset');
    if (emptyReset) emptyReset.addEventListener('click', function () { reset(); if (q) q.focus(); });
    window.addEventListener('popstate', function () { fromUrl(); apply(); });

    fromUrl();
    form.hidden = false;
    apply();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
