// The 404 page at any depth. Servers deliver 404.html at the missing URL, so its links cannot be
// page-relative; the template writes them root-absolute (base_url's path, "/" by default) and
// loads this script twice: from that root and from beside the file (file://). Whichever copy
// loads first learns the portal's root from its own address, loads the stylesheets and scripts
// from there and rewrites the page's links, so the page works under any prefix and from disk.
(function () {
  'use strict';
  if (window.playbillNotFound) return;
  var me = document.currentScript;
  if (!me) return;
  window.playbillNotFound = true;
  var src = me.src;
  var root = src.slice(0, src.lastIndexOf('static/'));
  var absolute = me.getAttribute('data-absolute-root') || '/';
  var words = function (name) { return (me.getAttribute(name) || '').split(/\s+/).filter(Boolean); };

  words('data-css').forEach(function (path) {
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = root + path;
    document.head.appendChild(link);
  });

  // A root-absolute link ("/catalog/index.html") made relative to the root found above.
  function rebase(value) {
    return value && value.indexOf(absolute) === 0 ? root + value.slice(absolute.length) : value;
  }

  function rewrite() {
    Array.prototype.forEach.call(document.querySelectorAll('[href], [action], [data-root]'), function (el) {
      ['href', 'action'].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, rebase(el.getAttribute(attr)));
      });
      if (el.hasAttribute('data-root')) el.setAttribute('data-root', root);
    });
    // The page's scripts read data-root when they start, so they load after the rewrite.
    words('data-js').forEach(function (path) {
      var script = document.createElement('script');
      script.src = root + path;
      script.async = false;
      document.head.appendChild(script);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', rewrite);
  else rewrite();
}());
