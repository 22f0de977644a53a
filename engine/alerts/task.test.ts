/**
 * The scheduled evaluation through graphile-worker: saving a rule schedules the job, a worker runs
 * it, the failing connection's alert reaches the SMTP server without anyone calling the
 * evaluator, and the job schedules its next pass.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/client";
import { setConnectionHealth } from "../connections";
import { createConnection, createWorkspace, isolatedDatabase, waitFor } from "../test/helpers";
import { startWorker, type EngineWorker } from "../worker/start";
import { saveChannel, saveRule } from "./store";
import { ensureAlertSchedule, TASK_ALERTS } from "./task";
import { startSmtp, type SmtpReceiver } from "./test-receivers";

let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let worker: EngineWorker | undefined;
let smtp: SmtpReceiver;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  db = createDb(isolated.url, { max: 5 });
  smtp = await startSmtp({ user: "alerts", password: "smtp-pw-task-1234" });
});
afterAll(async () => {
  await worker?.stop();
  await smtp.close();
  await db.close();
  await isolated.drop();
});

describe("scheduled alert evaluation", () => {
  it("a worker evaluates the rules on its own and schedules the next pass", async () => {
    process.env.LEDGERLINE_ALERTS_EVERY_SECONDS = "1";
    const workspaceId = await createWorkspace(db, "Scheduled alerts");
    const email = await saveChannel(db, workspaceId, {
      kind: "email",
      name: "Ops",
      config: { host: "127.0.0.1", port: smtp.port, secure: false, user: "alerts", from: "alerts@ledgerline.test", to: ["ops@finance.test"] },
      secrets: { password: "smtp-pw-task-1234" },
      delivery: "immediate",
      digestHour: 8,
      enabled: true,
    });
    await saveRule(db, workspaceId, { kind: "connection_failing", name: "Connections", flowId: null, params: {}, channelIds: [email], enabled: true });
    await ensureAlertSchedule(db.sql);
    const connectionId = await createConnection(db, workspaceId, "avalara", "Avalara", {}, {});
    await setConnectionHealth(db, workspaceId, connectionId, "needs_reconnect", "The refresh token was revoked");

    worker = await startWorker({ databaseUrl: isolated.url, concurrency: 1, pollInterval: 200 });
    const mail = await waitFor(async () => smtp.mails[0], 30_000);
    expect(mail.subject).toBe('[Ledgerline · Scheduled alerts] Connection "Avalara" needs to be reconnected');
    expect(mail.to).toEqual(["ops@finance.test"]);
    const [job] = await db.sql<{ n: number }[]>`select count(*)::int as n from graphile_worker.jobs where task_identifier = ${TASK_ALERTS} and key = 'ledgerline:alerts'`;
    expect(job!.n).toBe(1);
    // Later passes send nothing more for the same open cause.
    await new Promise((r) => setTimeout(r, 2500));
    expect(smtp.mails).toHaveLength(1);
  });
});
