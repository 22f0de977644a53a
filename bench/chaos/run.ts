/**
 * `npm run bench:chaos`: the full version (1,000 documents, 5 minutes of faults) or, with
 * `--short`, the version `npm test` runs. Exits 1 on any duplicate, any loss, or a recovery
 * slower than 60 s; 2 when the bench itself could not run.
 */
import { parseArgs } from "node:util";
import { fullVersion, runChaos, shortVersion } from "./chaos";
import { printFigures } from "./report";

const { values } = parseArgs({
  options: {
    documents: { type: "string" },
    duration: { type: "string" },
    seed: { type: "string" },
    short: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`npm run bench:chaos -- [--documents N] [--duration SECONDS] [--seed S] [--short]
  --documents  source documents to make (default 1000; 100 with --short)
  --duration   seconds of faults; documents are made over the first 80 % (default 300; 60 with --short)
  --seed       seed of the document plan and the sandboxes' fault draws (default 1)
  --short      each process fault once, stale window 5 s (the version npm test runs)`);
  process.exit(0);
}

const positive = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive whole number (got ${text})`);
    process.exit(2);
  }
  return n;
};

const base = values.short ? shortVersion() : fullVersion();
const documents = positive("documents", values.documents) ?? base.documents;
const duration = positive("duration", values.duration);
const seed = values.seed === undefined ? base.seed : Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error(`--seed must be a whole number (got ${values.seed})`);
  process.exit(2);
}

try {
  const figures = await runChaos({
    ...base,
    documents,
    durationMs: duration ? duration * 1000 : base.durationMs,
    seed,
    log: (line) => console.log(`[chaos] ${line}`),
  });
  printFigures(figures);
  process.exit(figures.ok ? 0 : 1);
} catch (error) {
  console.error(`[chaos] the bench could not run: ${(error as Error).stack ?? error}`);
  process.exit(2);
}
