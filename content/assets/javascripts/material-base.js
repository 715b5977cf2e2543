// Material for MkDocs' start-up helpers (partials/javascripts/base.html), moved to a
// file so the Content-Security-Policy can forbid inline script. The scope is the
// site root, two levels above this file.
/* eslint-disable */
window.__md_scope = new URL("../../", document.currentScript.src);
window.__md_hash = function (e) { return Array.from(e).reduce(function (h, c) { return (h << 5) - h + c.charCodeAt(0); }, 0); };
window.__md_get = function (e, store, scope) {
  store = store || localStorage;
  scope = scope || window.__md_scope;
  return JSON.parse(store.getItem(scope.pathname + "." + e));
};
window.__md_set = function (e, value, store, scope) {
  store = store || localStorage;
  scope = scope || window.__md_scope;
  try { store.setItem(scope.pathname + "." + e, JSON.stringify(value)); } catch (err) { /* storage full or off */ }
};
