/**
 * Generic `update` of vendors and customers, keyed by VENDORID / CUSTOMERID rather than RECORDNO,
 * as the SDKs send it (VendorUpdate, CustomerUpdate): only the fields given change; DISPLAYCONTACT
 * and its MAILADDRESS merge field by field. WHENMODIFIED moves, so the vendor poll sees it.
 * https://developer.intacct.com/web-services/functions/#update
 *
 * ASSUMED: the error texts (Intacct's own for a missing record follow the "Invalid Vendor" form).
 */
import { asArray, isRecord, obj, text } from "../xml";
import type { FnContext, FnOutcome } from "./functions";
import { auditTimestamp, findById, type Rec } from "./store";

const UPDATABLE: Record<string, { idField: string; title: string }> = {
  VENDOR: { idField: "VENDORID", title: "Vendor" },
  CUSTOMER: { idField: "CUSTOMERID", title: "Customer" },
};

const refuse = (errorno: string, description2: string, correction = ""): FnOutcome => ({
  ok: false,
  errors: [{ errorno, description: "", description2, correction }],
});

/** Merge `changes` into `target`: objects field by field, everything else replaced. */
function merge(target: Rec, changes: Rec): void {
  for (const [key, value] of Object.entries(changes)) {
    if (key.startsWith("@")) continue;
    if (isRecord(value)) {
      const inner = isRecord(target[key]) ? (target[key] as Rec) : {};
      merge(inner, value as Rec);
      target[key] = inner;
    } else target[key] = text(value);
  }
}

export function update(ctx: FnContext, body: Rec): FnOutcome {
  const entries = Object.entries(body).filter(([k]) => !k.startsWith("@"));
  if (entries.length === 0) return refuse("XL03000003", "update needs at least one object.");
  const updated: Array<[string, Rec]> = [];
  // Check everything first: a refused update changes nothing.
  const planned: Array<{ rec: Rec; changes: Rec; object: string; id: string }> = [];
  for (const [name, value] of entries) {
    const object = name.toUpperCase();
    const spec = UPDATABLE[object];
    if (!spec) return refuse("XL03000001", `Object ${name} cannot be updated with update in this company.`);
    for (const changes of asArray(value).map(obj)) {
      const id = text(changes[spec.idField]).trim();
      if (!id) return refuse("BL34000061", `Required field ${spec.idField} is missing.`, `Give the ${spec.title.toLowerCase()}'s ${spec.idField}.`);
      const rec = findById(ctx.company, object, id);
      if (!rec) return refuse("BL01001973", `Invalid ${spec.title} '${id}' specified.`, `Use an existing ${spec.title.toLowerCase()}.`);
      if (changes.NAME !== undefined && !text(changes.NAME).trim()) return refuse("BL34000061", `Required field ${spec.title} name is missing.`);
      if (changes.STATUS !== undefined && !["active", "inactive"].includes(text(changes.STATUS))) return refuse("BL01001973", `Invalid status '${text(changes.STATUS)}'.`, "Use active or inactive.");
      planned.push({ rec, changes, object, id });
    }
  }
  for (const { rec, changes, object, id } of planned) {
    const { [UPDATABLE[object]!.idField]: _id, RECORDNO: _recordNo, ...rest } = changes;
    merge(rec, rest);
    rec.WHENMODIFIED = auditTimestamp(ctx.now);
    rec.MODIFIEDBY = "xml_gateway";
    updated.push([object.toLowerCase(), { RECORDNO: rec.RECORDNO, [UPDATABLE[object]!.idField]: id }]);
  }
  return { ok: true, write: true, data: { attrs: { listtype: "objects", count: updated.length }, records: updated } };
}

export const MASTER_DATA_FUNCTIONS: Record<string, { write: boolean; run: (ctx: FnContext, body: Rec) => FnOutcome }> = {
  update: { write: true, run: update },
};
