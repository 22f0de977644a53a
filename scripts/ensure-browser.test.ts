import { spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
const run = (env: Record<string, string>) =>
  spawnSync(tsx, ["scripts/ensure-browser.ts"], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 20_000 });

describe("npm test's browser check", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ensure-browser-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("passes quietly when the configured Chromium is an executable", async () => {
    const fake = path.join(dir, "chromium");
    await writeFile(fake, "#!/bin/sh\necho Chromium 1.0\n");
    await chmod(fake, 0o755);
    const result = run({ CHROMIUM_PATH: fake });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("fails with one line that says what to do when the configured Chromium is missing", () => {
    const result = run({ CHROMIUM_PATH: path.join(dir, "missing-chromium") });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("missing-chromium is not an executable file");
    expect(lines[0]).toContain("unset it");
  });

  it("does not install anything for a non-executable file and names it", async () => {
    const plain = path.join(dir, "not-executable");
    await writeFile(plain, "");
    const result = run({ CHROMIUM_PATH: plain });
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain("installing");
  });
});
