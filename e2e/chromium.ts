/**
 * Which Chromium the browser tests drive, and making sure it is there before `npm test` starts.
 *
 * `CHROMIUM_PATH` when set (any Chromium or Chrome binary), otherwise Debian's package at
 * /usr/bin/chromium. `npm test` runs `ensureChromium()` first (scripts/ensure-browser.ts): when the
 * default binary is missing and the command runs as root on a Debian-like system it installs
 * Debian's `chromium` package (non-interactive, quiet); otherwise it fails at once with one line
 * that says what to do.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

export const DEBIAN_CHROMIUM = "/usr/bin/chromium";

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || DEBIAN_CHROMIUM;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

export type EnsureResult =
  | { ok: true; path: string; installed: boolean }
  | { ok: false; message: string };

export interface EnsureOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines (the install takes a minute). */
  log?: (line: string) => void;
}

export function ensureChromium(options: EnsureOptions = {}): EnsureResult {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const file = chromiumPath(env);
  if (executable(file)) return { ok: true, path: file, installed: false };
  if (env.CHROMIUM_PATH) {
    return {
      ok: false,
      message: `CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file: point it at a Chromium or Chrome binary, or unset it to use Debian's ${DEBIAN_CHROMIUM}.`,
    };
  }
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const hint = `Browser tests need Chromium at ${DEBIAN_CHROMIUM}: run \`sudo apt-get install -y chromium\` (or set CHROMIUM_PATH to a Chromium/Chrome binary), then \`npm test\` again.`;
  if (!root || !onPath("apt-get")) return { ok: false, message: hint };

  log(`Chromium is missing: installing Debian's chromium package for the browser tests (apt-get, about a minute)...`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Wait for another apt/dpkg run holding the lock instead of failing.
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  for (const args of [
    ["-qq", ...lock, "update"],
    ["-y", "-qq", ...lock, "--no-install-recommends", "install", "chromium"],
  ]) {
    const step = spawnSync("apt-get", args, { env: aptEnv, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (step.status !== 0) {
      const detail = `${step.stderr ?? ""}${step.stdout ?? ""}`.trim().split("\n").slice(-3).join(" | ");
      return { ok: false, message: `apt-get ${args.at(-1)} failed (${detail || `exit ${step.status}`}). ${hint}` };
    }
  }
  if (!executable(DEBIAN_CHROMIUM)) return { ok: false, message: `apt-get installed chromium but ${DEBIAN_CHROMIUM} is still missing. ${hint}` };
  log(`Installed ${DEBIAN_CHROMIUM}.`);
  return { ok: true, path: DEBIAN_CHROMIUM, installed: true };
}
