/**
 * `npm run worker`: the worker process (engine/worker/main.ts) without a TypeScript loader at run
 * time. The project's own modules are bundled with esbuild into one file under
 * node_modules/.cache/ledgerline/ (npm packages stay external and load from node_modules), named by
 * the content's hash and written atomically, so several workers starting at once share one file;
 * then that file is imported in this process.
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

const result = await esbuild.build({
  entryPoints: [path.join(root, "engine", "worker", "main.ts")],
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
if (!js) throw new Error("esbuild produced no worker bundle");
const name = `worker-${createHash("sha256").update(js.contents).digest("hex").slice(0, 16)}`;
const file = path.join(outDir, `${name}.mjs`);
if (!existsSync(file)) {
  mkdirSync(outDir, { recursive: true });
  const text = js.text.replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${name}.mjs.map\n`);
  if (map) writeFileSync(`${file}.map`, map.contents);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
await import(pathToFileURL(file).href);
