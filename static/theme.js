/* Theme: apply the stored choice before first paint, then wire up the header toggle. */
(function () {
  'use strict';
  var KEY = 'playbill-theme';
  var root = document.documentElement;

  function read() {
    try {
      var v = window.localStorage.getItem(KEY);
      return v === 'dark' || v === 'light' ? v : null;
    } catch (e) {
      return null;
    }
  }
  function write(v) {
    try { window.localStorage.setItem(KEY, v); } catch (e) { /* storage unavailable: keep it for this page only */ }
  }
  function systemDark() {
    return !!(window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  }
  function effective() {
    var t = root.getAttribute('data-theme');
    if (t === 'dark' || t === 'light') return t;
    return systemDark() ? 'dark' : 'light';
  }

  var stored = read();
  if (stored) root.setAttribute('data-theme', stored);

  function sync(buttons) {
    var dark = effective() === 'dark';
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute('aria-pressed', dark ? 'true' : 'false');
  }

  function init() {
    var buttons = document.querySelectorAll('.theme-toggle');
    if (!buttons.length) return;
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener('click', function () {
        var next = effective() === 'dark' ? 'light' : 'dark';
        root.setAttribute('data-theme', next);
        write(next);
        sync(buttons);
      });
    }
    sync(buttons);
    if (window.matchMedia) {
      var mq = window.matchMedia('(prefers-color-scheme: dark)');
      var onChange = function () { sync(buttons); };
      if (mq.addEventListener) mq.addEventListener('change', onChange);
      else if (mq.addListener) mq.addListener(onChange);
    }
  }

  // Another tab changed the theme.
  window.addEventListener('storage', function (e) {
    if (e.key !== KEY) return;
    var v = read();
    if (v) root.setAttribute('data-theme', v); else root.removeAttribute('data-theme');
    sync(document.querySelectorAll('.theme-toggle'));
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
