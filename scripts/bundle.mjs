/**
 * Runs one of the project's TypeScript entry points without a TypeScript loader at run time
 * (`npm run worker`, and the web server `npm start` spawns). The project's own modules are bundled
 * with esbuild into one file under node_modules/.cache/ledgerline/ (npm packages stay external and
 * load from node_modules), named by the content's hash and written atomically, so several
 * processes starting at once share one file; then that file is imported in this process.
 *
 * Why: tsx transpiles every module on the fly and keeps its source maps; the worker held about
 * 60 MB more resident memory that way (bench/memory, `npm run bench:memory`).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "node_modules", ".cache", "ledgerline");

/** Bundle `entry` (relative to the project's root) into a file named `<name>-<hash>.mjs` and import it. */
export async function runBundled(entry, name) {
  const result = await esbuild.build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.9",
    packages: "external",
    // Stack traces name the source files (read from the map only when an error is printed with --enable-source-maps).
    sourcemap: "linked",
    sourcesContent: false,
    write: false,
    outdir: outDir,
    logLevel: "warning",
  });
  await esbuild.stop();

  const js = result.outputFiles.find((f) => f.path.endsWith(".js"));
  const map = result.outputFiles.find((f) => f.path.endsWith(".js.map"));
  if (!js) throw new Error(`esbuild produced no bundle of ${entry}`);
  const file = `${name}-${createHash("sha256").update(js.contents).digest("hex").slice(0, 16)}`;
  const full = path.join(outDir, `${file}.mjs`);
  if (!existsSync(full)) {
    mkdirSync(outDir, { recursive: true });
    const text = js.text.replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${file}.mjs.map\n`);
    if (map) writeFileSync(`${full}.map`, map.contents);
    const tmp = `${full}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, full);
  }
  await import(pathToFileURL(full).href);
}
