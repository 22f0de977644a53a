/**
 * Vendor master data against the sandbox over HTTP: Update vendor sends the generic update with
 * only the fields that differ (exact on the wire), nothing when the vendor matches; the vendors
 * poll starts a run only when a watched field changes.
 */
import { describe, expect, it } from "vitest";
import { PermanentError, type TriggerContext } from "../sdk";
import type { IntacctClient } from "./client";
import { pollVendors } from "./nodes/pollVendors";
import { updateVendor } from "./nodes/updateVendor";
import { DEMO_COMPANY, nodeCtx, sandboxKit } from "./testkit";

const kit = sandboxKit();

const run = (client: IntacctClient, input: unknown) => updateVendor.run(nodeCtx(client), updateVendor.input.parse(input), {});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const vendor = async (id: string): Promise<any> => (await kit.state()).companies[DEMO_COMPANY].records.VENDOR!.find((v) => v.VENDORID === id);
function triggerCtx(client: IntacctClient): TriggerContext<IntacctClient> {
  const noop = () => undefined;
  return { client, log: { info: noop, warn: noop, error: noop }, signal: new AbortController().signal, workspaceId: "w", flowId: "f", nodeId: "n" };
}

describe("intacct.updateVendor", () => {
  it("sends only the changed fields, nested in the display contact, and nothing when the vendor already matches", async () => {
    const { client, env } = kit.client();
    const out = await run(client, { vendorId: "V100", changeKey: "v1", fields: { taxId: "94-1234567", email: "payables@regalservices.example", name: "Regal Services", city: "Oakland" } });
    expect(out).toMatchObject({ vendorId: "V100", changed: ["email", "taxId", "city"] });
    expect(env.calls.find((c) => c.label?.startsWith("Intacct update"))?.requestBody).toContain(
      "<update><VENDOR><VENDORID>V100</VENDORID><TAXID>94-1234567</TAXID><DISPLAYCONTACT><EMAIL1>payables@regalservices.example</EMAIL1><MAILADDRESS><CITY>Oakland</CITY></MAILADDRESS></DISPLAYCONTACT></VENDOR></update>",
    );
    const v = await vendor("V100");
    expect(v).toMatchObject({ TAXID: "94-1234567", NAME: "Regal Services" });
    expect(v.DISPLAYCONTACT).toMatchObject({ EMAIL1: "payables@regalservices.example", PHONE1: "555-0100", MAILADDRESS: { CITY: "Oakland", ZIP: "94105" } });
    const again = kit.client();
    expect(await run(again.client, { vendorId: "V100", changeKey: "v2", fields: { taxId: "94-1234567" } })).toMatchObject({ changed: [] });
    expect(again.env.calls.some((c) => c.label?.startsWith("Intacct update"))).toBe(false);
  });

  it("an unknown vendor is a clear permanent error", async () => {
    const error = await run(kit.client().client, { vendorId: "V999", changeKey: "v1", fields: { taxId: "1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toBe("Intacct has no vendor V999");
  });
});

describe("intacct.pollVendors", () => {
  it("records where vendors stand, then starts a run only when a watched field changes", async () => {
    const { client } = kit.client();
    const cfg = pollVendors.config.parse({ watchFields: ["taxId"] });
    const first = await pollVendors.trigger!.poll!(triggerCtx(client), cfg, null);
    expect(first.records).toEqual([]);
    kit.clock.now += 5000;
    await run(client, { vendorId: "V300", changeKey: "a", fields: { phone: "555-0300" } });
    const second = await pollVendors.trigger!.poll!(triggerCtx(client), cfg, first.checkpoint);
    expect(second.records).toEqual([]);
    await run(client, { vendorId: "V300", changeKey: "b", fields: { taxId: "75-0000001" } });
    const third = await pollVendors.trigger!.poll!(triggerCtx(client), cfg, second.checkpoint);
    expect(third.records.map((r) => [r.key, r.label])).toEqual([["intacct:LEDGERLINE-DEMO:VENDOR:V300", "Vendor V300 (Contoso Freight)"]]);
    expect((await pollVendors.trigger!.poll!(triggerCtx(client), cfg, third.checkpoint)).records).toEqual([]);
  });
});
