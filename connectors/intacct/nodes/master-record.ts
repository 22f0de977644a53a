/**
 * What the vendor and customer records share: fields kept on the record itself, on its display
 * contact (DISPLAYCONTACT) or on the contact's mailing address (DISPLAYCONTACT.MAILADDRESS), read
 * into one flat record and written back as the nested `<update>` children Intacct expects.
 */
import { obj, text, type XmlObject } from "../xml";

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
