// Service worker of the portal; the build fills in VERSION and SHELL.
//
// One cache per build ("portal-<VERSION>") holds the app shell, every page the
// reader visited and every collection saved for offline use. A new build
// installs a whole new cache - the shell plus a fresh copy of everything the
// reader had - and only then takes over, so no page of the old build is ever
// mixed with the new. Offline, the install cannot fetch and the old build
// stays until the next online visit.
"use strict";

const VERSION = "__VERSION__";
const CACHE = "portal-" + VERSION;
const SHELL = __SHELL__;
const OFFLINE_PAGE = "offline/";

const scope = new URL(self.registration.scope);
const abs = (path) => new URL(path, scope).href;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map(abs));
    const shell = new Set(SHELL.map(abs));
    const carried = new Set();
    for (const name of await caches.keys()) {
      if (!name.startsWith("portal-") || name === CACHE) continue;
      for (const request of await (await caches.open(name)).keys()) {
        if (!shell.has(request.url)) carried.add(request.url.split("#")[0]);
      }
    }
    // Everything the reader had, fetched again from this build (pages that
    // no longer exist are dropped). A network failure fails the install.
    const urls = [...carried];
    for (let i = 0; i < urls.length; i += 8) {
      await Promise.all(urls.slice(i, i + 8).map(async (url) => {
        const response = await fetch(url, { cache: "no-cache" });
        if (response.ok) await cache.put(url, response);
      }));
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    const old = names.filter((n) => n.startsWith("portal-") && n !== CACHE);
    await Promise.all(old.map((n) => caches.delete(n)));
    await self.clients.claim();
    if (old.length) {
      for (const client of await self.clients.matchAll({ type: "window" })) {
        client.postMessage({ type: "portal-updated", version: VERSION });
      }
    }
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "portal-version") {
    event.source.postMessage({ type: "portal-version", version: VERSION, cache: CACHE });
  }
});

async function fromCacheOrNetwork(request, { fallback } = {}) {
  const cache = await caches.open(CACHE);
  // Pages opened from a search carry ?highlight=…; Pagefind's entry file a ?ts=….
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  try {
    // Pages bypass the HTTP cache: what is not in this build's cache comes
    // from the network or not at all, so "saved" means saved.
    const response = await fetch(request.mode === "navigate" ? new Request(request.url, { cache: "no-store" }) : request);
    if (response.ok && response.type === "basic") {
      await cache.put(request.url.split("?")[0], response.clone());
    }
    return response;
  } catch (error) {
    // A page that is not saved: send the reader to the offline page (a
    // redirect, so its relative links resolve from its own address).
    if (fallback && (await cache.match(abs(fallback)))) {
      const target = new URL(fallback, scope);
      target.searchParams.set("from", new URL(request.url).pathname);
      return Response.redirect(target.href, 302);
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(scope.origin)) return;
  if (request.mode === "navigate") {
    event.respondWith(fromCacheOrNetwork(request, { fallback: OFFLINE_PAGE }));
  } else {
    event.respondWith(fromCacheOrNetwork(request));
  }
});
