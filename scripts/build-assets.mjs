#!/usr/bin/env node
// Build the front-end into virtualschool/static/dist (git-ignored): `npm run build`.
//
// - main.css: virtualschool/static/src/main.scss compiled with GOV.UK Frontend and MOJ Frontend.
// - GOV.UK Frontend, MOJ Frontend and htmx JavaScript (ES module bundles, with their source maps).
// - MOJ Frontend's icons (moj/images/icon-*) that its CSS refers to.
// - The council's favicon, web manifest and app.mjs from virtualschool/static/src.
// Deliberately NOT copied: the GDS Transport fonts (licensed for GOV.UK only) and every crown, crest or
// GOV.UK/MOJ logo image (a council service must not use them).
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "virtualschool/static/src");
const dist = join(root, "virtualschool/static/dist");
const modules = join(root, "node_modules");

// MOJ Frontend 11 still calls a GOV.UK mixin deprecated in GOV.UK Frontend 6, and its own `@forward ... with`
// fixes $govuk-suppressed-warnings, so the notice cannot be silenced in Sass. Everything else is shown.
const KNOWN_UPSTREAM_WARNINGS = [/The `govuk-text-colour` mixin is deprecated/];

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const css = sass.compile(join(src, "main.scss"), {
  style: "compressed",
  loadPaths: [root, modules],
  quietDeps: true,
  sourceMap: false,
  logger: {
    warn(message, options) {
      if (KNOWN_UPSTREAM_WARNINGS.some((pattern) => pattern.test(message))) return;
      const where = options.span ? ` (${options.span.url}:${options.span.start.line + 1})` : "";
      process.stderr.write(`Sass warning: ${message}${where}\n`);
    },
  },
});
writeFileSync(join(dist, "main.css"), css.css);

const govuk = join(modules, "govuk-frontend/dist/govuk");
const moj = join(modules, "@ministryofjustice/frontend/moj");
for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) copy(join(govuk, name), join(dist, name));
for (const name of ["moj-frontend.min.js", "moj-frontend.min.js.map"]) copy(join(moj, name), join(dist, name));
copy(join(modules, "htmx.org/dist/htmx.min.js"), join(dist, "htmx.min.js"));

for (const name of readdirSync(join(moj, "assets/images"))) {
  if (name.startsWith("icon-")) copy(join(moj, "assets/images", name), join(dist, "moj/images", name));
}

copy(join(src, "app.mjs"), join(dist, "app.mjs"));
copy(join(src, "images/favicon.svg"), join(dist, "images/favicon.svg"));
copy(join(src, "manifest.json"), join(dist, "manifest.json"));

process.stdout.write(`Built ${dist} (main.css ${Math.round(css.css.length / 1024)} KB)\n`);
