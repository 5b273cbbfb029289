/* Catalog filters over the full entity list in the page's data file (window.PLAYBILL_CATALOG,
   set by catalog/entities.<hash>.js). The page itself carries only the first rows; this script
   renders the rows that match, a step at a time, with the DOM (never innerHTML), each with the
   same data-* attributes the static rows have. Filters live in the query string
   (?kind=component&owner=group:default/team-a&q=ledger&sort=-score) so a filtered view can be
   shared, and the header search form lands here with ?q=. A button in each column header sorts
   the matching rows (stable; numbers as numbers; empty cells last either way). The health
   column reads cluster health from catalog/status.js (window.PlaybillStatus.catalog), which
   each snapshot rewrites, and scores from the data file. */
(function () {
  'use strict';

  var SELECTS = ['kind', 'type', 'lifecycle', 'owner', 'system', 'tag', 'namespace'];

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

  var STEP = 200;

  // The data file's rows as filterable records: [kind, namespace, name, title, type,
  // lifecycle, owner, system, tags, description, url, score], owner and system indexing
  // `links`, score -1 for none.
  function records(data) {
    var links = data.links || [];
    return (data.rows || []).map(function (r, i) {
      var owner = r[6] >= 0 ? links[r[6]] : null;
      var system = r[7] >= 0 ? links[r[7]] : null;
      var d = {
        row: r, index: i, ownerLink: owner, systemLink: system,
        ref: (r[0] + ':' + r[1] + '/' + r[2]).toLowerCase(),
        score: typeof r[11] === 'number' && r[11] >= 0 ? r[11] : null,
        kind: norm(r[0]), namespace: norm(r[1]), type: norm(r[4]), lifecycle: norm(r[5]),
        owner: owner ? norm(owner[0]) : '', system: system ? norm(system[0]) : '',
        tags: (r[8] || []).map(norm)
      };
      d.ownText = [norm(r[2]), norm(r[3]), norm(r[9])].join(' ');
      d.text = [d.ownText, d.kind, d.type, d.owner, d.system, d.tags.join(' ')].join(' ');
      return d;
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function none() {
    var s = el('span', 'none', '\u2014');
    s.setAttribute('aria-label', 'none');
    return s;
  }

  function cell(label, content, cls) {
    var td = el('td', cls);
    td.setAttribute('data-label', label);
    td.appendChild(content || none());
    return td;
  }

  function entityLink(l, root) {
    if (!l) return null;
    if (l[2]) {
      var a = el('a', 'entity-link', l[1]);
      a.href = root + l[2];
      a.title = l[0];
      return a;
    }
    var s = el('span', 'entity-link is-unresolved', (l[1] || l[0]) + ' ');
    s.title = l[0];
    s.appendChild(el('span', 'badge badge-unresolved', 'unresolved'));
    return s;
  }

  function lifecycleBadge(lc) {
    if (!lc) return null;
    var k = norm(lc);
    var cls = k === 'production' || k === 'experimental' || k === 'deprecated' ? 'lc-' + k : 'lc-other';
    return el('span', 'badge badge-lifecycle ' + cls, lc);
  }

  function tagList(tags) {
    if (!tags || !tags.length) return null;
    var ul = el('ul', 'tags');
    ul.setAttribute('aria-label', 'Tags');
    tags.forEach(function (t) { ul.appendChild(el('li', 'tag', t)); });
    return ul;
  }

  // The entity's cluster health from catalog/status.js: [worst or null, problems,
  // [[cluster, health], ...] where not healthy]; undefined when it names no workloads.
  function healthOf(d, health) {
    return health && health.services ? health.services[d.ref] : undefined;
  }

  // "failing in prod-us, staging", "degraded in prod-eu", ...: one badge per health, in words.
  function healthCell(d, health, root) {
    var h = healthOf(d, health);
    if (!h) return null;
    var href = root + d.row[10].replace(/index\.html$/, 'kubernetes/index.html');
    var box = el('span', 'catalog-health');
    function badge(state, text) {
      var a = el('a', 'badge k8s-badge health-' + state, text);
      a.href = href;
      box.appendChild(a);
    }
    if (!health.has_snapshot) badge('unknown', 'no snapshot');
    else if (!h[0]) badge('absent', 'not running');
    else if (h[0] === 'healthy') badge('healthy', 'healthy');
    else {
      var where = {};
      (h[2] || []).forEach(function (c) { (where[c[1]] = where[c[1]] || []).push(c[0]); });
      ['failing', 'degraded'].forEach(function (state) {
        if (where[state]) badge(state, state + ' in ' + where[state].join(', '));
      });
    }
    if (h[1]) box.appendChild(el('span', 'row-sub', h[1] + (h[1] === 1 ? ' problem' : ' problems')));
    return box;
  }

  // The score as the template's score_badge macro writes it, coloured by the data's levels.
  function scoreBadge(score, levels) {
    if (score === null) {
      var n = el('span', 'score score-none', '\u2014');
      n.title = 'No check applies';
      return n;
    }
    var level = 'poor';
    for (var i = 0; i < levels.length; i++) {
      if (score >= levels[i][0]) { level = levels[i][1]; break; }
    }
    var s = el('span', 'score score-' + level, String(score));
    s.appendChild(el('span', 'score-unit', '%'));
    return s;
  }

  // One row, as the template's summary_row macro writes it; `cols` says which health
  // columns the table has.
  function renderRow(d, root, cols) {
    var r = d.row;
    var tr = document.createElement('tr');
    tr.setAttribute('data-kind', d.kind);
    tr.setAttribute('data-namespace', r[1]);
    tr.setAttribute('data-type', r[4]);
    tr.setAttribute('data-lifecycle', r[5]);
    tr.setAttribute('data-owner', d.ownerLink ? d.ownerLink[0] : '');
    tr.setAttribute('data-system', d.systemLink ? d.systemLink[0] : '');
    tr.setAttribute('data-tags', d.tags.join(' '));
    tr.setAttribute('data-text', d.ownText);
    var th = el('th', 'col-name');
    th.scope = 'row';
    th.setAttribute('data-label', 'Name');
    var a = el('a', 'row-title', r[3]);
    a.href = root + r[10];
    th.appendChild(a);
    if (r[3] !== r[2]) { th.appendChild(document.createTextNode(' ')); th.appendChild(el('span', 'row-sub mono', r[2])); }
    if (r[1] !== 'default') { th.appendChild(document.createTextNode(' ')); th.appendChild(el('span', 'row-sub mono', 'ns: ' + r[1])); }
    if (r[9]) th.appendChild(el('span', 'row-desc', r[9]));
    tr.appendChild(th);
    tr.appendChild(cell('Kind', document.createTextNode(r[0])));
    tr.appendChild(cell('Type', r[4] ? document.createTextNode(r[4]) : null));
    tr.appendChild(cell('Owner', entityLink(d.ownerLink, root)));
    tr.appendChild(cell('System', entityLink(d.systemLink, root)));
    tr.appendChild(cell('Lifecycle', lifecycleBadge(r[5])));
    tr.appendChild(cell('Tags', tagList(r[8]), 'col-tags'));
    if (cols.health) tr.appendChild(cell('Health', healthCell(d, cols.healthData, root), 'col-health'));
    if (cols.score) tr.appendChild(cell('Score', scoreBadge(d.score, cols.levels), 'col-score'));
    return tr;
  }

  var HEALTH_RANK = { healthy: 1, degraded: 2, failing: 3 };

  // What a column sorts `d` by: a number, a string, or null for an empty cell.
  function sortValue(d, key, health) {
    var r = d.row;
    var text = function (v) { return v ? String(v) : null; };
    switch (key) {
      case 'name': return text(r[3] || r[2]);
      case 'kind': return text(r[0]);
      case 'type': return text(r[4]);
      case 'owner': return d.ownerLink ? text(d.ownerLink[1] || d.ownerLink[0]) : null;
      case 'system': return d.systemLink ? text(d.systemLink[1] || d.systemLink[0]) : null;
      case 'lifecycle': return text(r[5]);
      case 'tags': return text((r[8] || []).join(' '));
      case 'score': return d.score;
      case 'health': {
        // Not running < healthy < degraded < failing; more problems after fewer.
        var h = healthOf(d, health);
        return h ? (HEALTH_RANK[h[0]] || 0) * 1e6 + (h[1] || 0) : null;
      }
      default: return null;
    }
  }

  var collator = window.Intl && Intl.Collator
    ? new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }) : null;

  function compareValues(a, b) {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (collator) return collator.compare(a, b);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // `list` sorted by `sort` ({key, dir: 1 or -1}); equal values keep the data's order, and
  // empty cells go last in both directions.
  function sortRows(list, sort, health) {
    if (!sort) return list;
    var keyed = list.map(function (d) { return { d: d, v: sortValue(d, sort.key, health) }; });
    keyed.sort(function (x, y) {
      if (x.v === null || y.v === null) {
        if (x.v !== y.v) return x.v === null ? 1 : -1;
      } else {
        var c = compareValues(x.v, y.v) * sort.dir;
        if (c) return c;
      }
      return x.d.index - y.d.index;
    });
    return keyed.map(function (k) { return k.d; });
  }

  // `sort=name` or `sort=-score` in the query string.
  function parseSort(value, keys) {
    var v = String(value || '');
    var dir = v.charAt(0) === '-' ? -1 : 1;
    var key = dir < 0 ? v.slice(1) : v;
    return keys.indexOf(key) >= 0 ? { key: key, dir: dir } : null;
  }

  // Puts a button in each sortable header; `onSort(key)` runs on a click.
  function sortButtons(table, onSort) {
    var ths = table.tHead ? Array.prototype.slice.call(table.tHead.querySelectorAll('th[data-sort]')) : [];
    ths.forEach(function (th) {
      var b = el('button', 'sort-button');
      b.type = 'button';
      while (th.firstChild) b.appendChild(th.firstChild);
      var mark = el('span', 'sort-mark');
      mark.setAttribute('aria-hidden', 'true');
      b.appendChild(mark);
      th.appendChild(b);
      b.addEventListener('click', function () { onSort(th.getAttribute('data-sort')); });
    });
    return ths;
  }

  // aria-sort on the sorted column's header (and none on the others), and the caption in words.
  function showSort(ths, sort, caption, unsorted) {
    var label = '';
    ths.forEach(function (th) {
      if (sort && th.getAttribute('data-sort') === sort.key) {
        th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
        label = th.textContent.trim();
      } else {
        th.removeAttribute('aria-sort');
      }
    });
    if (caption) {
      caption.textContent = sort
        ? 'Catalog entities, sorted by ' + label.toLowerCase() + (sort.dir > 0 ? ', ascending' : ', descending')
        : unsorted;
    }
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

  // Beside each value of each filter, how many rows choosing it would show, the other filters
  // staying as they are (so a count never promises rows the table will not have).
  function showCounts(rows, f, selects) {
    SELECTS.forEach(function (k) {
      var sel = selects[k];
      if (!sel) return;
      var others = { terms: f.terms };
      SELECTS.forEach(function (j) { others[j] = j === k ? '' : f[j]; });
      var counts = {};
      rows.forEach(function (d) {
        if (!matches(d, others)) return;
        (k === 'tag' ? d.tags : [d[k]]).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      for (var i = 0; i < sel.options.length; i++) {
        var opt = sel.options[i];
        if (!opt.value) continue;
        if (!opt.hasAttribute('data-name')) opt.setAttribute('data-name', opt.textContent);
        opt.textContent = opt.getAttribute('data-name') + ' (' + (counts[norm(opt.value)] || 0) + ')';
      }
    });
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
    var data = window.PLAYBILL_CATALOG;
    // Without the data file the static first rows stay as they are, unfiltered.
    if (!form || !table || !table.tBodies || !table.tBodies.length || !data) return;

    var rows = records(data);
    var total = rows.length;
    var root = table.getAttribute('data-root') || '';
    var tbody = table.tBodies[0];
    var more = document.getElementById('catalog-more');
    var limit = STEP;
    var matched = [];
    var count = document.getElementById('catalog-count');
    var empty = document.getElementById('catalog-empty');
    var tableWrap = table.parentNode && table.parentNode.classList.contains('table-wrap') ? table.parentNode : table;
    var q = form.elements.namedItem('q');
    var health = (window.PlaybillStatus || {}).catalog;
    var cols = {
      health: !!table.querySelector('th[data-sort="health"]'), healthData: health,
      score: !!table.querySelector('th[data-sort="score"]'), levels: data.levels || []
    };
    var sort = null;
    var caption = table.caption;
    var unsorted = caption ? caption.textContent : '';
    var headers = sortButtons(table, function (key) {
      sort = { key: key, dir: sort && sort.key === key ? -sort.dir : 1 };
      apply();
      updateUrl();
    });
    var sortKeys = headers.map(function (th) { return th.getAttribute('data-sort'); });
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
      if (sort) parts.push('sort=' + (sort.dir < 0 ? '-' : '') + sort.key);
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

    // Renders the first `limit` matching rows; the rest wait behind the "Show more" button.
    function render() {
      var body = document.createElement('tbody');
      var n = Math.min(limit, matched.length);
      for (var i = 0; i < n; i++) body.appendChild(renderRow(matched[i], root, cols));
      table.replaceChild(body, tbody);
      tbody = body;
      if (more) {
        var rest = matched.length - n;
        more.hidden = rest === 0;
        more.textContent = 'Show ' + Math.min(rest, STEP) + ' more (' + rest + ' not shown)';
      }
    }

    function apply() {
      var f = current();
      matched = sortRows(rows.filter(function (d) { return matches(d, f); }), sort, health);
      showSort(headers, sort, caption, unsorted);
      limit = STEP;
      render();
      showCounts(rows, f, selects);
      var shown = matched.length;
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
      sort = parseSort(params.sort, sortKeys);
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
    if (more) more.addEventListener('click', function () { limit += STEP; render(); });

    fromUrl();
    form.hidden = false;
    apply();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
