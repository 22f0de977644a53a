/**
 * `npm run worker`: the worker process (engine/worker/main.ts), bundled once per start
 * (scripts/bundle.mjs says why).
 */
import { runBundled } from "./bundle.mjs";

await runBundled("engine/worker/main.ts", "worker");
