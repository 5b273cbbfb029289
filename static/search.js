/* Search: the header box (an ARIA combobox over a listbox of results) and search/index.html.
   The index (built by src/search/) is a set of classic scripts under search/ that call
   PlaybillSearch.*: a fixed-name manifest, shards of whole terms keyed by their first letters,
   document tables in chunks and the facets for filters. A query loads the manifest, the shards
   of its words, then the table chunks of the results it shows: <script src> only, so it works
   from file:// too. Normalising and ranking mirror src/search/text.rs and query.rs. */
(function () {
  'use strict';

  var MAX_EXPANSIONS = 50, TOP = 10, PER_GROUP = 5, PAGE = 20;
  var NOT_WORD = /[^\p{Alphabetic}\p{N}]+/u, WORD = /[\p{Alphabetic}\p{N}]+/gu, MARKS = /\p{M}/gu;

  var root = '';
  var index = { manifest: null, shards: {}, tables: {}, facets: null };
  var typo = { names: null, files: {} };
  var scripts = {};  // url -> Promise

  window.PlaybillSearch = {
    manifest: function (m) { index.manifest = m; },
    shard: function (key, body) { index.shards[key] = body; },
    docs: function (i, rows) { index.tables[i] = rows; },
    facets: function (f) { index.facets = f; },
    typos: function (names) { typo.names = names; },
    typo: function (letter, body) { typo.files[letter] = body; },
  };

  function load(name) {
    var url = root + 'search/' + name + '.js';
    if (!scripts[url]) {
      scripts[url] = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = url;
        s.onload = resolve;
        s.onerror = function () { delete scripts[url]; reject(new Error('cannot load ' + url)); };
        document.head.appendChild(s);
      });
    }
    return scripts[url];
  }

  function manifest() {
    return load('manifest').then(function () { return index.manifest; });
  }

  // Only the sections of one docs site (`<ns>/<kind>/<name>`): they follow their entity's
  // row of the facets, from its first section to the next entity's (facets.d names the entity).
  function siteFilter(site) {
    return manifest().then(function (m) { return load(m.facets); }).then(function () {
      var e = index.facets.e, i = (index.facets.d || {})[site];
      if (i == null) return function () { return false; };
      var lo = e[i][0], hi = i + 1 < e.length ? e[i + 1][0] : index.manifest.docs;
      return function (doc) { return doc >= lo && doc < hi; };
    });
  }

  // ---- text: as src/search/text.rs ----
  function normalize(s) { return s.toLowerCase().normalize('NFKD').replace(MARKS, ''); }
  function terms(s) { return normalize(s).split(NOT_WORD).filter(Boolean); }
  function chars(s) { return Array.from(s).length; }

  function words(q) {
    var stop = index.manifest.stop, out = [];
    terms(q).forEach(function (t) {
      if (stop.indexOf(t) < 0 && out.indexOf(t) < 0) out.push(t);
    });
    return out;
  }

  function fallbacks(w) {
    var cs = Array.from(w), n = cs.length, out = [];
    if (n < 5) return out;
    for (var k = n - 1; k >= Math.max(4, n - 3); k--) out.push(cs.slice(0, k).join(''));
    return out;
  }

  // Shard key -> file name (emit.rs): the manifest lists, per two-character root, the hash its
  // files share and the suffix of each shard key.
  function shardFiles() {
    if (!index.files) {
      index.files = {};
      Object.keys(index.manifest.shards).forEach(function (root) {
        var g = index.manifest.shards[root];
        for (var i = 1; i < g.length; i++) index.files[root + g[i]] = fileKey(root + g[i]) + '.' + g[0];
      });
    }
    return index.files;
  }

  function fileKey(k) {
    if (/^[a-z0-9]+$/.test(k)) return k;
    return 'u-' + Array.prototype.map.call(new TextEncoder().encode(k), function (b) {
      return (b < 16 ? '0' : '') + b.toString(16);
    }).join('');
  }

  function keysFor(w) {
    var prefix = chars(w) >= 2;
    return Object.keys(shardFiles()).filter(function (k) {
      return w.indexOf(k) === 0 || (prefix && k.indexOf(w) === 0);
    }).sort();
  }

  function loadShards(ws) {
    var names = [];
    ws.forEach(function (w) {
      keysFor(w).forEach(function (k) {
        var n = shardFiles()[k];
        if (names.indexOf(n) < 0) names.push(n);
      });
    });
    return Promise.all(names.map(load));
  }

  // Postings a word reaches as [flat postings, full match?], from the loaded shards.
  function lookup(w) {
    var exact = [], prefixed = [];
    keysFor(w).forEach(function (k) {
      var sh = index.shards[k];
      if (!sh) return;
      var lo = 0, hi = sh.t.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (sh.t[mid] < w) lo = mid + 1; else hi = mid; }
      for (var i = lo; i < sh.t.length && sh.t[i].indexOf(w) === 0; i++) {
        var hit = { term: sh.t[i], postings: sh.p[sh.s[i]] };
        if (sh.t[i] === w) exact.push(hit); else prefixed.push(hit);
      }
    });
    var out = exact.map(function (h) { return [h.postings, true]; });
    if (chars(w) >= 2) {
      prefixed.sort(function (a, b) { return a.term < b.term ? -1 : a.term > b.term ? 1 : 0; });
      prefixed.slice(0, MAX_EXPANSIONS).forEach(function (h) { out.push([h.postings, false]); });
    }
    return out;
  }

  // Ranks every document the query reaches: [{doc, matched, score}], best first (query.rs).
  // A query that reaches nothing is tried once more with its typos corrected and joined words
  // split; the list then says which words it used (list.corrected).
  function rank(q, keep) {
    return manifest().then(function () {
      var ws = words(q);
      return rankWords(ws, keep).then(function (list) {
        if (list.length || !ws.some(function (w) { return chars(w) >= 5; })) return list;
        return corrected(ws).then(function (better) {
          if (!better) return list;
          return rankWords(better, keep).then(function (l) {
            if (l.length) l.corrected = better.join(' ');
            return l;
          });
        });
      });
    });
  }

  function rankWords(ws, keep) {
    return loadShards(ws).then(function () {
      var missing = ws.filter(function (w) { return !lookup(w).length; });
      var more = [];
      missing.forEach(function (w) { more = more.concat(fallbacks(w)); });
      return loadShards(more);
    }).then(function () {
      var hits = {};
      ws.forEach(function (w) {
        var found = lookup(w), tries = fallbacks(w);
        while (!found.length && tries.length) found = lookup(tries.shift());
        var best = {};
        found.forEach(function (f) {
          var p = f[0], doc = 0;
          for (var i = 0; i < p.length; i += 2) {
            doc += p[i];
            var v = f[1] ? p[i + 1] : Math.floor(p[i + 1] / 2);
            if (!(best[doc] >= v)) best[doc] = v;
          }
        });
        Object.keys(best).forEach(function (d) {
          var h = hits[d] || (hits[d] = { doc: +d, matched: 0, score: 0 });
          h.matched += 1;
          h.score += best[d];
        });
      });
      var list = Object.keys(hits).map(function (d) { return hits[d]; });
      if (keep) list = list.filter(function (h) { return keep(h.doc); });
      list.sort(function (a, b) {
        return b.matched - a.matched || b.score - a.score || a.doc - b.doc;
      });
      return list;
    });
  }

  // ---- forgiving: one typo, joined words (src/search/typo.rs) ----
  // Terms of `len` letters starting with `letter`, most frequent first.
  function vocab(letter, len) {
    var f = typo.files[letter], s = f && f[len];
    return s ? s.split(' ') : [];
  }

  // One substitution, insertion, deletion or swap of neighbours turns a into b (char arrays).
  function oneEdit(a, b) {
    var n = a.length, m = b.length, i = 0;
    if (Math.abs(n - m) > 1) return false;
    while (i < n && i < m && a[i] === b[i]) i++;
    if (n === m) {
      if (i === n) return false;
      if (a.slice(i + 1).join('') === b.slice(i + 1).join('')) return true;
      return i + 1 < n && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2).join('') === b.slice(i + 2).join('');
    }
    return n > m ? a.slice(i + 1).join('') === b.slice(i).join('') : a.slice(i).join('') === b.slice(i + 1).join('');
  }

  // The likeliest term one typo away from w: its own first letter first (typos there are rare;
  // a swap or loss of the first letter starts the term with the second).
  function oneTypo(cs) {
    var n = cs.length, tries = [[cs[0], n], [cs[0], n - 1], [cs[0], n + 1], [cs[1], n - 1], [cs[1], n]];
    for (var i = 0; i < tries.length; i++) {
      var list = vocab(tries[i][0], tries[i][1]);
      for (var j = 0; j < list.length; j++) if (oneEdit(cs, Array.from(list[j]))) return [list[j]];
    }
    return null;
  }

  // Two words written as one: `paymentsledger` -> payments ledger (each of four letters or more).
  function split(cs) {
    for (var i = 4; i <= cs.length - 4; i++) {
      var left = cs.slice(0, i).join(''), right = cs.slice(i).join('');
      if (vocab(cs[0], i).indexOf(left) >= 0 && vocab(cs[i], cs.length - i).indexOf(right) >= 0) return [left, right];
    }
    return null;
  }

  // The query's words with each correctable word of five letters or more replaced, or null.
  function corrected(ws) {
    var letters = [];
    ws.forEach(function (w) {
      Array.from(w).forEach(function (c) { if (letters.indexOf(c) < 0) letters.push(c); });
    });
    return load('typo').then(function () {
      var names = typo.names || {};
      return Promise.all(letters.filter(function (l) { return names[l]; }).map(function (l) { return load(names[l]); }));
    }).then(function () {
      var changed = false, out = [];
      ws.forEach(function (w) {
        var cs = Array.from(w), better = cs.length >= 5 ? (split(cs) || oneTypo(cs)) : null;
        if (better) changed = true;
        (better || [w]).forEach(function (b) { if (out.indexOf(b) < 0) out.push(b); });
      });
      return changed ? out : null;
    });
  }

  // Document rows [kind, name, title, url, context, excerpt] for hits, loading their chunks.
  function rows(hits) {
    var size = index.manifest.chunk, need = [];
    hits.forEach(function (h) {
      var c = Math.floor(h.doc / size);
      if (need.indexOf(c) < 0) need.push(c);
    });
    return Promise.all(need.map(function (c) {
      return load('docs-' + c + '.' + index.manifest.tables[Math.floor(c / index.manifest.block)]);
    })).then(function () {
      return hits.map(function (h) {
        var r = index.tables[Math.floor(h.doc / size)][h.doc % size];
        return { doc: h.doc, kind: r[0], name: r[1], title: r[2], url: r[3], context: r[4], excerpt: r[5] };
      });
    });
  }

  // Of the first TOP hits, entities named exactly as the query move to the front (query.rs);
  // the list then says so (list.exact), and Enter in a search box opens the first.
  function order(q, list) {
    if (list.corrected) q = list.corrected;
    var entities = index.manifest.entities;
    var top = list.slice(0, TOP).filter(function (h) { return h.doc < entities; });
    return rows(top).then(function (rs) {
      var wanted = terms(q).join(' ');
      var exact = rs.filter(function (r) { return r.name && terms(r.name).join(' ') === wanted; })
        .map(function (r) { return r.doc; });
      if (!exact.length) return list;
      var head = list.slice(0, TOP);
      var out = head.filter(function (h) { return exact.indexOf(h.doc) >= 0; })
        .concat(head.filter(function (h) { return exact.indexOf(h.doc) < 0; }), list.slice(TOP));
      out.corrected = list.corrected;
      out.exact = true;
      return out;
    });
  }

  // ---- showing results ----
  function matches(token, ws) {
    return ws.some(function (w) {
      return token.indexOf(w) === 0 || (chars(w) >= 5 && token.indexOf(Array.from(w).slice(0, Math.max(4, chars(w) - 3)).join('')) === 0);
    });
  }

  // Text with the words of the query in <mark>; built as nodes, never as HTML.
  function highlighted(text, ws) {
    var frag = document.createDocumentFragment(), last = 0, m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (!matches(normalize(m[0]), ws)) continue;
      if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement('mark');
      mark.textContent = m[0];
      frag.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (last < text.length) frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function kindLabel(kind) { return kind === 'docs' ? 'Docs' : kind === 'api' ? 'API' : kind.charAt(0).toUpperCase() + kind.slice(1); }

  // The inside of one result: title, kind, context line, snippet.
  function resultBody(r, ws, container) {
    var head = el('span', 'sr-head');
    var title = el('span', 'sr-title');
    title.appendChild(highlighted(r.title, ws));
    head.appendChild(title);
    head.appendChild(el('span', 'sr-kind kind-' + r.kind, kindLabel(r.kind)));
    container.appendChild(head);
    if (r.context) container.appendChild(el('span', 'sr-context', r.context));
    if (r.excerpt) {
      var snip = el('span', 'sr-snippet');
      snip.appendChild(highlighted(r.excerpt, ws));
      container.appendChild(snip);
    }
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  // "No results for “legder”. Did you mean “ledger”?": built as nodes, never as HTML.
  function didYouMean(q, better, cls) {
    var p = el('p', cls);
    p.appendChild(document.createTextNode('No results for “' + q + '”. Did you mean '));
    var a = el('a', null, better);
    a.href = root + 'search/index.html?q=' + encodeURIComponent(better);
    p.appendChild(a);
    p.appendChild(document.createTextNode('? Showing its results.'));
    return p;
  }

  // ---- the header combobox, and the big boxes of the home and 404 pages ----
  function initBox(form) {
    var input = form.querySelector('input[type="search"]');
    var popup = form.querySelector('.search-popup');
    var listbox = form.querySelector('[role="listbox"]');
    var all = form.querySelector('.sr-all');
    var status = form.querySelector('[role="status"]');
    if (!input || !popup || !listbox || !all) return;
    var prefix = listbox.id + '-';
    var seq = 0, timer = null, active = -1, first = null;
    // A docs page's box: its own site unless the toggle widens it to the whole portal.
    var site = form.getAttribute('data-scope'), toggle = form.querySelector('.scope-toggle');
    var siteField = form.querySelector('input[name="site"]');
    function scoped() { return site && (!toggle || toggle.checked) ? site : ''; }

    function options() { return listbox.querySelectorAll('[role="option"]'); }

    function setActive(i) {
      var opts = options();
      if (!opts.length) return;
      active = (i + opts.length) % opts.length;
      Array.prototype.forEach.call(opts, function (o, j) { o.setAttribute('aria-selected', j === active ? 'true' : 'false'); });
      input.setAttribute('aria-activedescendant', opts[active].id);
      opts[active].scrollIntoView({ block: 'nearest' });
    }

    function open() {
      popup.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function close() {
      popup.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      Array.prototype.forEach.call(options(), function (o) { o.setAttribute('aria-selected', 'false'); });
      active = -1;
    }

    function show(q, rs, total, list) {
      listbox.textContent = '';
      active = -1;
      input.removeAttribute('aria-activedescendant');
      var ws = words(list.corrected || q);
      if (list.corrected) listbox.appendChild(didYouMean(q, list.corrected, 'sr-didyoumean'));
      var groups = [['Catalog', rs.filter(function (r) { return r.kind !== 'docs'; })],
        ['Docs', rs.filter(function (r) { return r.kind === 'docs'; })]];
      var n = 0;
      groups.forEach(function (g, gi) {
        if (!g[1].length) return;
        var group = el('div', 'sr-group');
        group.setAttribute('role', 'group');
        var label = el('div', 'sr-group-label', g[0]);
        label.id = prefix + 'group-' + gi;
        label.setAttribute('role', 'presentation');
        group.setAttribute('aria-labelledby', label.id);
        group.appendChild(label);
        g[1].forEach(function (r) {
          var a = el('a', 'sr-option');
          a.id = prefix + 'opt-' + (n++);
          a.href = root + r.url;
          a.setAttribute('role', 'option');
          a.setAttribute('aria-selected', 'false');
          a.tabIndex = -1;
          resultBody(r, ws, a);
          group.appendChild(a);
        });
        listbox.appendChild(group);
      });
      var shown = list.corrected || q;
      all.textContent = total ? 'All ' + plural(total, 'result', 'results') + ' for “' + shown + '”' : 'No results for “' + q + '”';
      all.href = root + 'search/index.html?q=' + encodeURIComponent(shown) + (scoped() ? '&site=' + encodeURIComponent(scoped()) : '');
      // An entity named exactly as the query is what Enter opens.
      first = list.exact && rs.length && rs[0].kind !== 'docs' ? root + rs[0].url : null;
      open();
      if (status) status.textContent = total ? plural(total, 'result', 'results') + ', use the arrow keys to choose' : 'No results';
    }

    function run() {
      var q = input.value;
      var mine = ++seq;
      first = null;
      if (!q.trim()) { close(); return Promise.resolve(); }
      var keep = scoped() ? siteFilter(scoped()) : Promise.resolve(null);
      return keep.then(function (k) { return rank(q, k); }).then(function (list) { return order(q, list); }).then(function (list) {
        // The best few of each group: entities are documents 0..entities.
        var n = index.manifest.entities;
        var picked = list.filter(function (h) { return h.doc < n; }).slice(0, PER_GROUP)
          .concat(list.filter(function (h) { return h.doc >= n; }).slice(0, PER_GROUP));
        return rows(picked).then(function (rs) {
          if (mine === seq) show(q, rs, list.length, list);
        });
      }).catch(function (e) {
        if (mine !== seq) return;
        listbox.textContent = '';
        all.textContent = 'Search is not available: ' + e.message;
        open();
      });
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    });
    // Nothing loads on focus alone: "/" then leaving the page must not leave requests behind.
    input.addEventListener('focus', function () {
      if (input.value.trim() && options().length) open();
    });
    input.addEventListener('keydown', function (e) {
      var shown = !popup.hidden && options().length > 0;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (!shown) { if (input.value.trim()) run(); return; }
        setActive(active < 0 ? (e.key === 'ArrowDown' ? 0 : -1) : active + (e.key === 'ArrowDown' ? 1 : -1));
      } else if (e.key === 'Enter') {
        if (shown && active >= 0) {
          e.preventDefault();
          window.location.href = options()[active].href;
        } else if (input.value.trim()) {
          // An exact entity match opens the entity; anything else goes to the results page.
          e.preventDefault();
          clearTimeout(timer);
          var q = input.value;
          var go = function () {
            if (input.value !== q) return;
            if (first) window.location.href = first;
            else form.submit();
          };
          run().then(go, go);
        }
      } else if (e.key === 'Escape') {
        if (!popup.hidden) { e.preventDefault(); close(); } else if (input.value) { input.value = ''; }
      }
    });
    // The results page runs the query itself: nothing pending here when the form goes.
    form.addEventListener('submit', function () { clearTimeout(timer); seq++; });
    if (toggle) {
      toggle.addEventListener('change', function () {
        if (siteField) siteField.disabled = !toggle.checked;
        input.placeholder = toggle.checked ? 'Search these docs' : 'Search the portal';
        if (input.value.trim()) run();
      });
    }
    // Keep focus in the box while a result is clicked; close when focus leaves the form.
    popup.addEventListener('mousedown', function (e) { e.preventDefault(); });
    form.addEventListener('focusout', function (e) {
      if (!form.contains(e.relatedTarget)) close();
    });
  }

  // ---- search/index.html ----
  function initPage(form) {
    var input = form.querySelector('#search-q');
    var kind = form.querySelector('#search-kind');
    var owner = form.querySelector('#search-owner');
    var status = document.getElementById('search-status');
    var list = document.getElementById('search-results');
    var more = document.getElementById('search-more');
    var params = new URLSearchParams(window.location.search);
    input.value = params.get('q') || '';
    var seq = 0, timer = null, ranked = [], shown = 0, query = '';
    // `&site=<ns>/<kind>/<name>`: only that docs site's sections, as its docs pages' box asks.
    var site = params.get('site') || '', siteKeep = null;

    function option(select, value, label) {
      var o = el('option', null, label);
      o.value = value;
      select.appendChild(o);
    }

    // The facets row of a document's entity: entities are documents 0..n, then the sections
    // of each entity's docs follow entity by entity; e[i][0] is where entity i's begin.
    function entityOf(doc) {
      var e = index.facets.e, lo = 0, hi = e.length - 1;
      if (doc < e.length) return e[doc];
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (e[mid][0] <= doc) lo = mid; else hi = mid - 1; }
      return e[lo];
    }

    function filter() {
      var k = kind.value, o = owner.value;
      if (site) return siteKeep;
      if (!k && !o) return null;
      var ki = index.facets.kinds.indexOf(k);
      var oi = index.facets.owners.findIndex(function (x) { return x[0] === o; });
      if ((k && ki < 0) || (o && oi < 0)) return function () { return false; };
      return function (doc) {
        var e = entityOf(doc);
        return (!k || e[1] === ki) && (!o || e[2] === oi);
      };
    }

    function append(rs) {
      var ws = words(query);
      rs.forEach(function (r) {
        var li = el('li', 'sr-item');
        var a = el('a', 'sr-option');
        a.href = root + r.url;
        resultBody(r, ws, a);
        li.appendChild(a);
        list.appendChild(li);
      });
      shown += rs.length;
      more.hidden = shown >= ranked.length;
    }

    function run() {
      var q = input.value, mine = ++seq;
      query = q;
      list.textContent = '';
      shown = 0;
      more.hidden = true;
      var url = '?q=' + encodeURIComponent(q) + (site ? '&site=' + encodeURIComponent(site) : '') + (kind.value ? '&kind=' + encodeURIComponent(kind.value) : '') +
        (owner.value ? '&owner=' + encodeURIComponent(owner.value) : '');
      // Keep the address shareable; some browsers refuse this on file://, which is harmless.
      try { window.history.replaceState(null, '', url); } catch (e) { /* keep the old address */ }
      if (!q.trim()) { status.textContent = 'Type a word to search the catalog and every docs page.'; return; }
      status.textContent = 'Searching…';
      rank(q, filter()).then(function (l) { return order(q, l); }).then(function (l) {
        if (mine !== seq) return null;
        ranked = l;
        query = l.corrected || q;
        return rows(l.slice(0, PAGE)).then(function (rs) {
          if (mine !== seq) return;
          status.textContent = (l.length ? plural(l.length, 'result', 'results') + ' for “' + query + '”' : 'No results for “' + q + '”') +
            (site ? ' in the docs of ' + site : '');
          if (l.corrected) { status.textContent = ''; status.appendChild(didYouMean(q, l.corrected, 'sr-didyoumean-page')); }
          append(rs);
        });
      }).catch(function (e) { status.textContent = 'Search is not available: ' + e.message; });
    }

    manifest().then(function (m) { return load(m.facets); }).then(function () {
      return site ? siteFilter(site).then(function (k) { siteKeep = k; }) : null;
    }).then(function () {
      index.facets.kinds.forEach(function (k) { option(kind, k, kindLabel(k)); });
      index.facets.owners.forEach(function (o) { option(owner, o[0], o[1]); });
      kind.value = params.get('kind') || '';
      owner.value = params.get('owner') || '';
      run();
    }).catch(function (e) { status.textContent = 'Search is not available: ' + e.message; });

    form.addEventListener('submit', function (e) { e.preventDefault(); run(); });
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    kind.addEventListener('change', run);
    owner.addEventListener('change', run);
    more.addEventListener('click', function () {
      var mine = seq;
      rows(ranked.slice(shown, shown + PAGE)).then(function (rs) { if (mine === seq) append(rs); });
    });
  }

  function init() {
    var box = document.querySelector('form.site-search[data-root]');
    var page = document.querySelector('form.page-search[data-root]');
    root = (box || page || { getAttribute: function () { return ''; } }).getAttribute('data-root') || '';
    if (box) initBox(box);
    Array.prototype.forEach.call(document.querySelectorAll('form.hero-search[data-root], form.docs-search[data-root]'), initBox);
    if (page) initPage(page);
    // For tests and benchmarks: the first `count` results of a query, as the page ranks them.
    window.PlaybillSearch.query = function (q, count) {
      return rank(q).then(function (l) { return order(q, l); }).then(function (l) { return rows(l.slice(0, count || TOP)); });
    };
    window.PlaybillSearch.terms = terms;
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
