/**
 * The chaos bench's verdict can fail: a document posted twice in the sandbox is a duplicate (a
 * reversal is not a posting), a document with neither a run nor a posting is a loss, and a
 * document with a run is not.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createWorkspace, testDb } from "../../engine/test/helpers";
import { startSandboxes, type Sandboxes } from "../../engine/templates/test-helpers";
import { DEMO } from "../../connectors/intacct/sandbox";
import type { CreatedDocument } from "./documents";
import { countFigures, postingCounts } from "./report";

const db = testDb();
let sb: Sandboxes;
beforeAll(async () => {
  sb = await startSandboxes();
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

async function gateway(fn: string): Promise<void> {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${DEMO.senderId}</senderid><password>${DEMO.senderPassword}</password>` +
    `<controlid>c-${Math.random()}</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication>` +
    `<login><userid>${DEMO.userId}</userid><companyid>${DEMO.companyId}</companyid><password>${DEMO.userPassword}</password></login></authentication>` +
    `<content><function controlid="f1">${fn}</function></content></operation></request>`;
  const res = await fetch(`${sb.urls.intacct}/ia/xml/xmlgw.phtml`, { method: "POST", headers: { "content-type": "application/xml" }, body });
  expect(await res.text()).toContain("<status>success</status>");
}

const postBatch = (referenceNo: string) =>
  gateway(
    `<create><GLBATCH><JOURNAL>TAX</JOURNAL><BATCH_DATE>06/30/2026</BATCH_DATE><BATCH_TITLE>Tax</BATCH_TITLE><REFERENCENO>${referenceNo}</REFERENCENO><ENTRIES>` +
      `<GLENTRY><ACCOUNTNO>2210</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>10.00</TRX_AMOUNT></GLENTRY>` +
      `<GLENTRY><ACCOUNTNO>1200</ACCOUNTNO><TR_TYPE>1</TR_TYPE><TRX_AMOUNT>10.00</TRX_AMOUNT></GLENTRY>` +
      `</ENTRIES></GLBATCH></create>`,
  );

/** Tax through AR, as the tax flow posts it: EXTERNALID tax:<document>|v=<version>[|reverses=<RECORDNO>]. */
const postTaxAdjustment = (externalId: string, amount: string) =>
  gateway(
    `<create_aradjustment><customerid>C200</customerid><datecreated><year>2026</year><month>06</month><day>30</day></datecreated>` +
      `<externalid>${externalId}</externalid><aradjustmentitems><lineitem><glaccountno>2210</glaccountno><amount>${amount}</amount></lineitem></aradjustmentitems></create_aradjustment>`,
  );

const doc = (i: number, docNo: string, recordNo: string): CreatedDocument => ({
  plan: { i, kind: "intacctSale", integration: "intacct", at: 0, body: {} },
  label: `Intacct Sales Invoice-${docNo}`,
  recordKey: `intacct:LEDGERLINE-DEMO:SODOCUMENT:${recordNo}`,
  postings: [`tax|tax:INTACCT-SO-${docNo}`, `GLBATCH|INTACCT-SO-${docNo}`],
  createdAt: Date.now(),
});

it("counts a second posting of one document as a duplicate and a document without run or posting as a loss", async () => {
  const workspaceId = await createWorkspace(db, "Chaos verdict");
  const [flow] = await db.sql<{ id: string }[]>`insert into flows (workspace_id, name) values (${workspaceId}, 'Tax GL') returning id::text`;
  const [version] = await db.sql<{ id: string }[]>`
    insert into flow_versions (workspace_id, flow_id, version, definition) values (${workspaceId}, ${flow!.id}, 1, '{}'::jsonb) returning id::text`;
  // SI-9001 posted twice (a duplicate); SI-9002 posted once; SI-9003 has a failed run; SI-9004 nothing at all.
  await postBatch("INTACCT-SO-SI-9001");
  await postBatch("INTACCT-SO-SI-9001");
  await postBatch("INTACCT-SO-SI-9002");
  // Tax through AR: SI-9005 posted twice (a duplicate); SI-9006 posted, then a reversal (not a second posting).
  await postTaxAdjustment("tax:INTACCT-SO-SI-9005|v=1", "12.50");
  await postTaxAdjustment("tax:INTACCT-SO-SI-9005|v=1", "12.50");
  await postTaxAdjustment("tax:INTACCT-SO-SI-9006|v=1", "8.00");
  await postTaxAdjustment("tax:INTACCT-SO-SI-9006|v=2|reverses=1", "-8.00");
  for (const [recordNo, status] of [["9001", "succeeded"], ["9002", "succeeded"], ["9003", "failed"], ["9005", "succeeded"], ["9006", "succeeded"]] as const) {
    await db.sql`
      insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, status, error)
      values (${workspaceId}, ${flow!.id}, ${version!.id}, 'poll', ${`intacct:LEDGERLINE-DEMO:SODOCUMENT:${recordNo}`}, ${status},
              ${status === "failed" ? db.sql.json({ message: "Avalara refused the address" }) : null})`;
  }
  const documents = [doc(0, "SI-9001", "9001"), doc(1, "SI-9002", "9002"), doc(2, "SI-9003", "9003"), doc(3, "SI-9004", "9004"), doc(4, "SI-9005", "9005"), doc(5, "SI-9006", "9006")];
  const figures = await countFigures(db, documents, await postingCounts(sb.urls, 1001));
  const intacct = figures.find((f) => f.integration === "intacct")!;
  expect(intacct).toMatchObject({ documents: 6, posted: 4, failed: 1, reversals: 1, failures: { "Avalara refused the address": 1 }, runs: { succeeded: 4, failed: 1 } });
  expect(intacct.duplicates).toEqual([
    { label: "Intacct Sales Invoice-SI-9001", postings: 2 },
    { label: "Intacct Sales Invoice-SI-9005", postings: 2 },
  ]);
  expect(intacct.losses).toEqual(["Intacct Sales Invoice-SI-9004"]);
});
