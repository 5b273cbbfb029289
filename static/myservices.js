/* "My services" on the home page. Served through a sign-in proxy, the page asks the proxy who
   is reading ([sso] userinfo_url, same origin), finds them in the owner index
   (catalog/owners.<hash>.js) by e-mail, else by the proxy's groups, and lists what their teams
   own with catalog problems and, from clusters/status.js, cluster health. From file://, or when
   the proxy gives no usable answer, the section stays hidden and nothing is reported. Data only
   ever reaches the page as text (textContent), never as markup. */
(function () {
  'use strict';

  var section = document.getElementById('my-services');
  if (!section || !/^https?:$/.test(location.protocol) || typeof fetch !== 'function') return;
  var body = section.querySelector('.my-services-body');
  var root = section.getAttribute('data-root') || '';
  // Bounds on what the proxy sends, so an odd answer cannot make the page do much work.
  var MAX_TEXT = 320;
  var MAX_GROUPS = 200;
  var KINDS = { api: 'API' };
  var has = Object.prototype.hasOwnProperty;

  function text(v) {
    return typeof v === 'string' && v.trim() && v.length <= MAX_TEXT ? v.trim() : '';
  }

  // Who the proxy says is reading, or null when the answer names nobody.
  function identity(info) {
    if (!info || typeof info !== 'object' || Array.isArray(info)) return null;
    var email = text(info.email).toLowerCase();
    var groups = Array.isArray(info.groups) ? info.groups.slice(0, MAX_GROUPS).map(text).filter(Boolean) : [];
    if (!email && !groups.length) return null;
    return { email: email, groups: groups, name: text(info.preferredUsername) || text(info.user) || email };
  }

  function lookup(map, key) {
    return map && has.call(map, key) && Array.isArray(map[key]) ? map[key] : null;
  }

  // The owners (indices into data.owners) the reader belongs to, and how they were found.
  function match(who, data) {
    var entry = who.email && lookup(data.users, who.email);
    if (entry && entry.length) return { user: entry[0], owners: entry.slice(), by: 'email' };
    var owners = [];
    who.groups.forEach(function (g) {
      var key = g.toLowerCase();
      // Providers qualify group names (`org:team`, `/parent/team`); try the last part too.
      var hits = lookup(data.groups, key) || lookup(data.groups, key.split(/[:/]/).pop());
      (hits || []).forEach(function (i) { if (owners.indexOf(i) < 0) owners.push(i); });
    });
    return { user: null, owners: owners, by: 'groups' };
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content != null) node.textContent = content;
    return node;
  }

  // `kind:namespace/name` → its page, relative to the site root.
  function pageOf(ref) {
    var colon = ref.indexOf(':');
    var slash = ref.indexOf('/', colon);
    return root + 'catalog/' + ref.slice(colon + 1, slash) + '/' + ref.slice(0, colon) + '/' + ref.slice(slash + 1) + '/index.html';
  }

  function kindOf(ref) {
    var kind = ref.slice(0, ref.indexOf(':'));
    return KINDS[kind] || kind.charAt(0).toUpperCase() + kind.slice(1);
  }

  function link(ref, title, className) {
    var a = el('a', className, title);
    a.href = pageOf(ref);
    return a;
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  function none() {
    var span = el('span', 'none', '—');
    span.setAttribute('aria-label', 'none');
    return span;
  }

  // One owned entity with its problems: `{ref, title, type, lifecycle, errors, warnings, k8s}`,
  // `k8s` being `[health, problems, [unhealthy clusters]]` from the status file, or undefined.
  function row(e) {
    var tr = el('tr');
    var name = el('th', 'col-name');
    name.scope = 'row';
    name.setAttribute('data-label', 'Name');
    name.appendChild(link(e.ref, e.title, 'row-title'));
    tr.appendChild(name);
    [['Kind', kindOf(e.ref)], ['Type', e.type]].forEach(function (c) {
      var td = el('td', null, c[1] || null);
      td.setAttribute('data-label', c[0]);
      if (!c[1]) td.appendChild(none());
      tr.appendChild(td);
    });
    var lc = el('td');
    lc.setAttribute('data-label', 'Lifecycle');
    if (e.lifecycle) {
      var l = e.lifecycle.toLowerCase();
      var cls = l === 'production' || l === 'experimental' || l === 'deprecated' ? 'lc-' + l : 'lc-other';
      lc.appendChild(el('span', 'badge ' + cls, e.lifecycle));
    } else {
      lc.appendChild(none());
    }
    tr.appendChild(lc);
    var problems = el('td', 'my-problems');
    problems.setAttribute('data-label', 'Problems');
    var k8s = e.k8s;
    if (k8s && k8s[0] !== 'healthy') {
      var where = Array.isArray(k8s[2]) && k8s[2].length ? ' in ' + k8s[2].join(', ') : '';
      var badge = el('a', 'badge k8s-badge health-' + k8s[0], k8s[0] + where);
      badge.href = pageOf(e.ref).replace(/index\.html$/, 'kubernetes/index.html');
      if (k8s[1] > 0) badge.title = plural(k8s[1], 'cluster problem');
      problems.appendChild(badge);
    }
    [[e.errors, 'error', 'sev-error'], [e.warnings, 'warning', 'sev-warning']].forEach(function (c) {
      if (c[0] > 0) {
        var a = link(e.ref, plural(c[0], c[1]), 'badge ' + c[2]);
        a.title = 'Catalog ' + c[1] + 's in this entity\'s definition';
        problems.appendChild(a);
      }
    });
    if (!problems.firstChild) {
      problems.appendChild(k8s ? el('span', 'badge k8s-badge health-healthy', 'healthy') : none());
    }
    tr.appendChild(problems);
    return tr;
  }

  // Worst first: failing, degraded, catalog errors, warnings; then as the index lists them.
  function rank(e) {
    var h = e.k8s ? e.k8s[0] : '';
    return (h === 'failing' ? 8 : h === 'degraded' ? 4 : 0) + (e.errors > 0 ? 2 : 0) + (e.warnings > 0 ? 1 : 0);
  }

  function table(owner, entities) {
    var wrap = el('div', 'table-wrap');
    var t = el('table', 'data-table stack entity-table my-services-table');
    t.appendChild(el('caption', 'visually-hidden', 'Owned by ' + owner[1]));
    var head = el('tr');
    ['Name', 'Kind', 'Type', 'Lifecycle', 'Problems'].forEach(function (h) {
      var th = el('th', null, h);
      th.scope = 'col';
      head.appendChild(th);
    });
    t.appendChild(el('thead')).appendChild(head);
    var tbody = t.appendChild(el('tbody'));
    entities.map(function (e, i) { return [rank(e), i, e]; })
      .sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; })
      .forEach(function (x) { tbody.appendChild(row(x[2])); });
    wrap.appendChild(t);
    return wrap;
  }

  function entitiesOf(owner, data, status) {
    return (Array.isArray(owner[2]) ? owner[2] : []).map(function (i) {
      var e = data.entities[i] || [];
      return {
        ref: String(e[0]), title: String(e[1]), type: e[2], lifecycle: e[3], errors: e[4], warnings: e[5],
        k8s: status && has.call(status, e[0]) ? status[e[0]] : undefined,
      };
    });
  }

  function summary(all) {
    var failing = all.filter(function (e) { return e.k8s && e.k8s[0] === 'failing'; }).length;
    var degraded = all.filter(function (e) { return e.k8s && e.k8s[0] === 'degraded'; }).length;
    var withErrors = all.filter(function (e) { return e.errors > 0; }).length;
    var parts = [all.length + (all.length === 1 ? ' entity' : ' entities')];
    if (failing) parts.push(failing + ' failing');
    if (degraded) parts.push(degraded + ' degraded');
    if (withErrors) parts.push(withErrors + ' with catalog errors');
    if (!failing && !degraded && !withErrors) parts.push('no problems found');
    return parts.join(' · ');
  }

  function render(who, data) {
    if (!data || !Array.isArray(data.owners) || !Array.isArray(data.entities)) return;
    var m = match(who, data);
    var owners = m.owners.map(function (i) { return data.owners[i]; }).filter(Array.isArray);
    var status = ((window.PlaybillStatus || {}).clusters || {}).services;
    var intro = el('p', 'my-services-who');
    intro.appendChild(document.createTextNode('Signed in as '));
    if (m.user != null && data.owners[m.user]) {
      intro.appendChild(link(data.owners[m.user][0], data.owners[m.user][1]));
    } else {
      intro.appendChild(el('strong', null, who.name || who.email));
    }
    var groups = owners.filter(function (o) { return String(o[0]).indexOf('group:') === 0; });
    if (groups.length) {
      intro.appendChild(document.createTextNode(m.by === 'email' ? ', member of ' : ', in '));
      groups.forEach(function (g, i) {
        if (i) intro.appendChild(document.createTextNode(', '));
        intro.appendChild(link(g[0], g[1]));
      });
    }
    intro.appendChild(document.createTextNode('.'));
    body.appendChild(intro);
    if (!owners.length) {
      body.appendChild(el('p', 'empty', 'No services found for you: no User entity has your e-mail address in spec.profile.email, and none of your sign-in groups is a Group in the catalog.'));
      section.hidden = false;
      return;
    }
    var all = [];
    var blocks = [];
    owners.forEach(function (o) {
      var entities = entitiesOf(o, data, status);
      all = all.concat(entities);
      if (entities.length) blocks.push([o, entities]);
    });
    body.appendChild(el('p', 'my-services-summary', summary(all)));
    if (!blocks.length) body.appendChild(el('p', 'empty', 'Your teams own nothing in the catalog yet.'));
    blocks.forEach(function (b) {
      var h = el('h3', 'my-services-owner');
      h.appendChild(link(b[0][0], b[0][1]));
      h.appendChild(document.createTextNode(' '));
      h.appendChild(el('span', 'count', String(b[1].length)));
      body.appendChild(h);
      body.appendChild(table(b[0], b[1]));
    });
    section.hidden = false;
  }

  // The index is only loaded once somebody is known to be signed in.
  function withOwners(done) {
    if (window.PLAYBILL_OWNERS) { done(window.PLAYBILL_OWNERS); return; }
    var s = document.createElement('script');
    s.src = section.getAttribute('data-owners');
    s.onload = function () { done(window.PLAYBILL_OWNERS); };
    document.head.appendChild(s);
  }

  // `redirect: manual`: a proxy that sends an expired session to its sign-in page must not
  // make the page follow it to another origin. A non-JSON answer (an HTML login page) is not
  // an error, just nobody.
  fetch(section.getAttribute('data-userinfo'), {
    credentials: 'same-origin', redirect: 'manual', cache: 'no-store', headers: { Accept: 'application/json' },
  })
    // An error answer's body is read too, so the request ends here rather than when the
    // reader leaves the page.
    .then(function (r) { return r.ok ? r.json() : r.text().then(function () { return null; }); })
    .catch(function () { return null; })
    .then(function (info) {
      var who = identity(info);
      if (who) withOwners(function (data) { render(who, data); });
    });
})();
