/* Shared behaviours: the diagnostics badge, copy buttons ([data-copy]), "/" to search, open <details> for printing. */
(function () {
  'use strict';

  function legacyCopy(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'visually-hidden';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  // Clipboard API where allowed, else the older selection-based copy.
  function copyText(text) {
    var fallback = function () {
      return legacyCopy(text) ? Promise.resolve() : Promise.reject(new Error('copy failed'));
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(fallback);
    }
    return fallback();
  }

  // A copy button on every docs code block; line numbers are CSS content, so not copied.
  function addCodeButtons() {
    Array.prototype.forEach.call(document.querySelectorAll('.highlight > pre'), function (pre) {
      var code = pre.querySelector('code') || pre;
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'btn btn-small copy-btn code-copy';
      btn.textContent = 'Copy';
      btn.setAttribute('aria-label', 'Copy this code');
      btn.setAttribute('data-copy', code.textContent.replace(/\n$/, ''));
      pre.parentNode.insertBefore(btn, pre);
      // A code block that scrolls sideways must be reachable by keyboard to scroll it.
      if (!pre.hasAttribute('tabindex')) {
        pre.tabIndex = 0;
        pre.setAttribute('aria-label', 'Code');
        pre.setAttribute('role', 'region');
      }
    });
  }

  // A docs table wider than its column scrolls sideways inside it (docs.css): while it does, it
  // must be reachable by keyboard to scroll it. Checked again when the width changes.
  function initWideTables() {
    var tables = document.querySelectorAll('.md-typeset table');
    if (!tables.length) return;
    function mark() {
      Array.prototype.forEach.call(tables, function (t) {
        if (t.scrollWidth > t.clientWidth + 1) t.tabIndex = 0;
        else if (t.getAttribute('tabindex') === '0') t.removeAttribute('tabindex');
      });
    }
    var timer = null;
    window.addEventListener('resize', function () { clearTimeout(timer); timer = setTimeout(mark, 150); });
    mark();
  }

  function initCopy() {
    addCodeButtons();
    var buttons = document.querySelectorAll('[data-copy]');
    if (!buttons.length) return;
    // One polite live region so screen readers hear the result.
    var status = document.createElement('span');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    document.body.appendChild(status);
    Array.prototype.forEach.call(buttons, function (btn) {
      var label = btn.textContent;
      var timer = null;
      btn.hidden = false;
      btn.addEventListener('click', function () {
        var text = btn.getAttribute('data-copy') || '';
        var done = function (msg) {
          btn.textContent = msg;
          status.textContent = msg === 'Copied' ? 'Copied ' + text : msg;
          clearTimeout(timer);
          timer = setTimeout(function () { btn.textContent = label; status.textContent = ''; }, 1600);
        };
        copyText(text).then(function () { done('Copied'); }, function () { done('Copy failed'); });
      });
    });
  }

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
  }

  function initSlash() {
    document.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (isTyping(document.activeElement)) return;
      var box = document.getElementById('site-search');
      if (!box) return;
      e.preventDefault();
      box.focus();
      if (box.select) box.select();
    });
  }

  function initPrint() {
    var opened = [];
    window.addEventListener('beforeprint', function () {
      opened = [];
      Array.prototype.forEach.call(document.querySelectorAll('details:not([open])'), function (d) {
        d.open = true;
        opened.push(d);
      });
    });
    window.addEventListener('afterprint', function () {
      opened.forEach(function (d) { d.open = false; });
      opened = [];
    });
  }

  // The header's diagnostics badge, from issues/counts.js (window.PlaybillCounts). Labelled in
  // words: bare coloured counts read like production alerts, but these are mistakes found in
  // the catalog files and docs while building the portal.
  function part(cls, text) {
    var span = document.createElement('span');
    span.className = 'diag-part ' + cls;
    var dot = document.createElement('span');
    dot.className = 'dot';
    dot.setAttribute('aria-hidden', 'true');
    span.appendChild(dot);
    span.appendChild(document.createTextNode(text));
    return span;
  }

  function initBadge() {
    var counts = window.PlaybillCounts;
    var badge = document.querySelector('.diag-badge');
    if (!counts || !badge) return;
    var errors = counts.errors || 0;
    var warnings = counts.warnings || 0;
    var parts = [];
    if (errors > 0) parts.push(part('diag-err', errors + ' catalog error' + (errors === 1 ? '' : 's')));
    if (warnings > 0) parts.push(part('diag-warn', warnings + ' warning' + (warnings === 1 ? '' : 's')));
    if (!parts.length) parts.push(part('diag-ok', 'No catalog errors'));
    badge.title = 'Mistakes found in catalog files and docs while building the portal (not production alerts)';
    badge.classList.add(errors > 0 ? 'has-errors' : warnings > 0 ? 'has-warnings' : 'is-clean');
    badge.textContent = '';
    parts.forEach(function (p) { badge.appendChild(p); });
  }

  function init() {
    initBadge();
    initCopy();
    initWideTables();
    initSlash();
    initPrint();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
