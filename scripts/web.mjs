/**
 * The web app's server (scripts/web.ts), bundled once per start (scripts/bundle.mjs says why).
 * `npm start` spawns it; `node scripts/web.mjs --dev` runs the development server.
 */
import { runBundled } from "./bundle.mjs";

await runBundled("scripts/web.ts", "web");
