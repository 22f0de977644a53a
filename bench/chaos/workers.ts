/**
 * Worker processes as an operator runs them: `npm run worker`, each in a process group of its own
 * (npm -> tsx -> node), so a signal reaches the worker itself and not just npm. The pool keeps the
 * wanted number running: a worker that exits without being told to is replaced and counted.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { descendants } from "../../engine/test/proc";

export interface WorkerProcess {
  /** 1, 2, 3 ... in start order. */
  n: number;
  /** npm's pid, the process group id. */
  pid: number;
  child: ChildProcess;
  startedAt: number;
  stopped: boolean;
  /** Set when the bench sent SIGKILL/SIGTERM: its exit is expected. */
  ending?: "SIGKILL" | "SIGTERM" | "shutdown";
  exited?: { code: number | null; signal: NodeJS.Signals | null; at: number };
}

export class WorkerPool {
  readonly all: WorkerProcess[] = [];
  /** Workers that exited without the bench asking (crashes, e.g. when PostgreSQL restarted). */
  readonly unexpectedExits: Array<{ n: number; code: number | null; signal: NodeJS.Signals | null }> = [];
  private closing = false;

  constructor(
    private readonly options: { env: Record<string, string>; logFile: string; log: (line: string) => void; size: number },
  ) {}

  start(): WorkerProcess {
    const n = this.all.length + 1;
    const child = spawn("npm", ["run", "--silent", "worker"], {
      cwd: process.cwd(),
      env: { ...process.env, ...this.options.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const worker: WorkerProcess = { n, pid: child.pid!, child, startedAt: Date.now(), stopped: false };
    const write = (chunk: Buffer) => {
      const text = chunk.toString();
      appendFileSync(this.options.logFile, text.replace(/^(?=.)/gm, `[worker ${n}] `));
    };
    child.stdout?.on("data", write);
    child.stderr?.on("data", write);
    child.once("exit", (code, signal) => {
      worker.exited = { code, signal, at: Date.now() };
      if (!worker.ending && !this.closing) {
        this.unexpectedExits.push({ n, code, signal });
        this.options.log(`worker ${n} exited on its own (code ${code}, signal ${signal}); starting a replacement`);
        this.start();
      }
    });
    this.all.push(worker);
    return worker;
  }

  /** Running (not exited) workers, stopped ones included. */
  live(): WorkerProcess[] {
    return this.all.filter((w) => !w.exited && !w.ending);
  }

  signal(worker: WorkerProcess, signal: NodeJS.Signals): void {
    try {
      process.kill(-worker.pid, signal);
    } catch {
      // already gone
    }
  }

  kill(worker: WorkerProcess): void {
    worker.ending = "SIGKILL";
    this.signal(worker, "SIGKILL");
  }

  /**
   * SIGTERM to the worker's node process alone, as a process manager sends it once to the service:
   * the whole group would deliver it two or three times (npm and tsx relay it too).
   */
  terminate(worker: WorkerProcess): void {
    worker.ending = "SIGTERM";
    const tree = this.pids(worker);
    try {
      process.kill(tree[tree.length - 1] ?? worker.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }

  pause(worker: WorkerProcess): void {
    worker.stopped = true;
    this.signal(worker, "SIGSTOP");
  }

  resume(worker: WorkerProcess): void {
    worker.stopped = false;
    this.signal(worker, "SIGCONT");
  }

  pids(worker: WorkerProcess): number[] {
    return worker.exited ? [] : descendants(worker.pid);
  }

  /** Wait until a worker has exited (or the time is up). */
  async exited(worker: WorkerProcess, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!worker.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return Boolean(worker.exited);
  }

  /** SIGTERM every worker (SIGCONT first for a paused one), SIGKILL what is left after the grace period. */
  async stopAll(graceMs = 30_000): Promise<void> {
    this.closing = true;
    const live = this.all.filter((w) => !w.exited);
    for (const w of live) {
      if (w.stopped) this.resume(w);
      w.ending ??= "shutdown";
      const tree = this.pids(w);
      try {
        process.kill(tree[tree.length - 1] ?? w.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await Promise.all(live.map((w) => this.exited(w, graceMs)));
    for (const w of live) if (!w.exited) this.signal(w, "SIGKILL");
    await Promise.all(live.map((w) => this.exited(w, 5_000)));
  }
}

export const logPath = (dir: string) => path.join(dir, "workers.log");
