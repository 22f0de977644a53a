/**
 * What the vendor and customer records share: fields kept on the record itself, on its display
 * contact (DISPLAYCONTACT) or on the contact's mailing address (DISPLAYCONTACT.MAILADDRESS), read
 * into one flat record and written back as the nested `<update>` children Intacct expects.
 */
import { PermanentError } from "../../sdk";
import type { IntacctClient } from "../client";
import { SYSTEM } from "../errors";
import { obj, text, type XmlObject } from "../xml";
import { reconcileFirst, writeKey, type Ctx } from "./factory";

/** Where a flat field lives: an element of the record, of its display contact, or of the contact's mailing address. */
export type FieldElement = readonly ["record" | "contact" | "mail", string];

/** The display contact's e-mail, phone and mailing address, as both records have them. */
export const CONTACT_ELEMENTS = {
  email: ["contact", "EMAIL1"],
  phone: ["contact", "PHONE1"],
  line1: ["mail", "ADDRESS1"],
  line2: ["mail", "ADDRESS2"],
  city: ["mail", "CITY"],
  region: ["mail", "STATE"],
  postalCode: ["mail", "ZIP"],
  country: ["mail", "COUNTRYCODE"],
} as const satisfies Record<string, FieldElement>;

const PATHS = { record: "", contact: "DISPLAYCONTACT.", mail: "DISPLAYCONTACT.MAILADDRESS." } as const;

/** readByQuery field names of the elements (`DISPLAYCONTACT.MAILADDRESS.CITY`...). */
export function queryFieldsOf(elements: Record<string, FieldElement>): string[] {
  return Object.values(elements).map(([where, element]) => `${PATHS[where]}${element}`);
}

/** The flat fields of a row read with those query fields. */
export function readElements<F extends string>(row: Record<string, unknown>, elements: Record<F, FieldElement>): Record<F, string> {
  const contact = obj(row.DISPLAYCONTACT);
  const from = { record: row, contact, mail: obj(contact.MAILADDRESS) };
  return Object.fromEntries(Object.entries<FieldElement>(elements).map(([field, [where, element]]) => [field, text(from[where][element])])) as Record<F, string>;
}

/** `<update>` children: the record's key, then each changed field (trimmed, `written` may rewrite it) where it lives. */
export function updateBody<F extends string>(
  key: XmlObject,
  changed: readonly F[],
  wanted: Partial<Record<F, string>>,
  elements: Record<F, FieldElement>,
  written: (field: F, value: string) => string = (_f, v) => v,
): XmlObject {
  const body: XmlObject = { ...key };
  const contact: XmlObject = {};
  const mail: XmlObject = {};
  const into = { record: body, contact, mail };
  for (const field of changed) {
    const [where, element] = elements[field];
    into[where][element] = written(field, wanted[field]!.trim());
  }
  if (Object.keys(mail).length) contact.MAILADDRESS = mail;
  if (Object.keys(contact).length) body.DISPLAYCONTACT = contact;
  return body;
}

/** What an update node needs of its record type. */
export interface MasterUpdateSpec<R extends { whenModified: string }, F extends string> {
  object: "VENDOR" | "CUSTOMER";
  /** "vendor", "customer": in messages. */
  noun: string;
  /** The id's name in a dry run's "would post" ("vendorId", "customerId"). */
  idKey: string;
  read(client: IntacctClient, id: string): Promise<R | undefined>;
  changes(current: R, wanted: Partial<Record<F, string>>): { body: XmlObject; changed: F[] };
}

export interface MasterUpdateResult<F extends string> {
  id: string;
  changed: F[];
  whenModified: string;
}

/**
 * The update of a master record, shared by Update vendor and Update customer: `<update>` with only
 * the fields that differ from what Intacct holds, nothing sent when it already matches (which
 * keeps a two-way sync from echoing), read back before sending again after an unknown outcome.
 */
export function masterUpdate<R extends { whenModified: string }, F extends string>(spec: MasterUpdateSpec<R, F>) {
  const current = async (client: IntacctClient, id: string): Promise<R> => {
    const record = await spec.read(client, id);
    if (!record) throw new PermanentError(`Intacct has no ${spec.noun} ${id}`, { system: SYSTEM, code: "not_found" });
    return record;
  };
  const matched = async (client: IntacctClient, id: string, wanted: Partial<Record<F, string>>): Promise<MasterUpdateResult<F> | undefined> => {
    const record = await spec.read(client, id);
    return record && spec.changes(record, wanted).changed.length === 0 ? { id, changed: [], whenModified: record.whenModified } : undefined;
  };
  const changesOf = (record: R, changed: F[], wanted: Partial<Record<F, string>>) =>
    changed.map((f) => ({ field: f, from: (record as Record<string, unknown>)[f], to: wanted[f] }));
  return {
    reconcile: matched,
    async preview(client: IntacctClient, id: string, wanted: Partial<Record<F, string>>) {
      const record = await current(client, id);
      const { changed } = spec.changes(record, wanted);
      const result: MasterUpdateResult<F> = { id, changed, whenModified: record.whenModified };
      const wouldPost = changed.length
        ? { function: "update", object: spec.object, [spec.idKey]: id, changes: changesOf(record, changed, wanted) }
        : { function: null, [spec.idKey]: id, reason: "already as wanted" };
      return { wouldPost, result };
    },
    async run(ctx: Ctx, id: string, wanted: Partial<Record<F, string>>, key: string): Promise<MasterUpdateResult<F>> {
      const prior = await reconcileFirst(ctx, () => matched(ctx.client, id, wanted));
      if (prior) return prior;
      const record = await current(ctx.client, id);
      const { body, changed } = spec.changes(record, wanted);
      if (changed.length === 0) {
        ctx.log.info(`${capitalised(spec.noun)} ${id} already matches: nothing to update`);
        return { id, changed: [], whenModified: record.whenModified };
      }
      ctx.log.info(`Updating ${spec.noun} ${id}`, { changes: changesOf(record, changed, wanted) });
      await ctx.client.legacyCreate("update", { [spec.object]: body }, writeKey(ctx, key), () => matched(ctx.client, id, wanted));
      const back = await current(ctx.client, id);
      return { id, changed, whenModified: back.whenModified };
    },
  };
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
