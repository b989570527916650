// Builds the offline field client: vendors Dexie and workbox-window into static/field/vendor and
// generates the Workbox service worker static/field/sw.js that precaches the client's files.
// Run with `make field-client` (npm ci + node build.mjs); commit the results, not node_modules.
import { copyFileSync, mkdirSync } from "node:fs";
import { generateSW } from "workbox-build";

const out = "../static/field";
mkdirSync(`${out}/vendor`, { recursive: true });
for (const [from, to] of [
  ["node_modules/dexie/dist/dexie.min.js", "dexie.min.js"],
  ["node_modules/dexie/LICENSE", "dexie.LICENSE"],
  ["node_modules/workbox-window/build/workbox-window.prod.umd.js", "workbox-window.prod.umd.js"],
  ["node_modules/workbox-window/LICENSE", "workbox.LICENSE"],
]) copyFileSync(from, `${out}/vendor/${to}`);

const { count, size, warnings } = await generateSW({
  swDest: `${out}/sw.js`,
  globDirectory: "../static",
  globPatterns: ["field/*.{js,css,png}", "field/vendor/*.js", "css/app.css"],
  globIgnores: ["field/sw.js"],
  modifyURLPrefix: { "": "/static/" },
  inlineWorkboxRuntime: true,
  sourcemap: false,
  mode: "production",
  cleanupOutdatedCaches: true,
  clientsClaim: true,
  skipWaiting: true,
  // the page itself: from the network when there is one, else the copy kept in "field-shell"
  // (only a real shell answer is kept, never a sign-in page a redirect led to)
  runtimeCaching: [{
    urlPattern: ({ url }) => url.pathname === "/field/",
    handler: "NetworkFirst",
    options: {
      cacheName: "field-shell",
      networkTimeoutSeconds: 4,
      cacheableResponse: { statuses: [200], headers: { "X-Field-Shell": "1" } },
    },
  }],
});
for (const w of warnings) console.warn(w);
console.log(`sw.js precaches ${count} files, ${size} bytes`);
