/**
 * Multi-entity companies in the sandbox: entities are locations (`Company.entities`), a session
 * is either top level (empty locationid) or at one entity
 * (https://developer.intacct.com/api/company-console/api-sessions/: getAPISession with
 * `<locationid>`, or `locationid` in the login).
 * - An entity-level session sees the transactions of its entity only (MEGAENTITYID), the
 *   locations under its entity, and shared master data (records without MEGAENTITYID); a read
 *   of another entity's record answers nothing, as for a record that does not exist.
 * - A record written at entity level carries MEGAENTITYID and MEGAENTITYNAME of the entity; a
 *   line at a location of another entity is refused as an invalid location.
 * - With `entityRequired`, transactions entered at the top level are refused.
 *
 * - A user restricted to entity-level access (`users[id].entityId`) gets a session at that
 *   entity when asking for the top level ("you can provide an empty location ID to get a new
 *   top-level session (assuming you are not restricted to entity-level access)"), and no session
 *   at any other entity.
 *
 * ASSUMED: the wording of the top-level refusal and of an unknown entity at sign-in (Intacct
 * does not publish them); MEGAENTITYID/MEGAENTITYNAME are the fields Intacct reads back; that a
 * restricted user's top-level sign-in answers a session at its entity rather than an error.
 */
import { text } from "../xml";
import { refuse } from "./dimensions";
import type { Company, Rec } from "./store";

/** Objects whose records belong to one entity (transactions and their ledger rows). */
const TRANSACTIONS = new Set(["GLBATCH", "GLENTRY", "APBILL", "APADJUSTMENT", "ARADJUSTMENT", "ARINVOICE", "SODOCUMENT", "PODOCUMENT"]);

export function isMultiEntity(company: Company): boolean {
  return (company.entities ?? []).length > 0;
}

export function isEntity(company: Company, locationId: string): boolean {
  return (company.entities ?? []).includes(locationId);
}

/**
 * The entity of the session a sign-in gets: the one asked for ("" = top level), or for a user
 * restricted to one entity, that entity when the top level was asked for; undefined when the user
 * may not have a session there.
 */
export function sessionEntity(company: Company, userId: string, requested: string): string | undefined {
  const restricted = company.users[userId]?.entityId;
  if (!restricted || !isMultiEntity(company)) return requested;
  return requested === "" || requested === restricted ? restricted : undefined;
}

/** The entity a location belongs to: itself or its nearest ancestor that is an entity. */
export function entityOfLocation(company: Company, locationId: string): string | undefined {
  const seen = new Set<string>();
  let id = locationId;
  while (id && !seen.has(id)) {
    if (isEntity(company, id)) return id;
    seen.add(id);
    id = text((company.records.LOCATION ?? []).find((l) => l.LOCATIONID === id)?.PARENTID);
  }
  return undefined;
}

/** Whether a session at `entityId` ("" = top level) sees the record. */
export function visible(company: Company, entityId: string | undefined, object: string, rec: Rec): boolean {
  if (!entityId || !isMultiEntity(company)) return true;
  if (object === "LOCATION") return entityOfLocation(company, text(rec.LOCATIONID)) === entityId;
  const owner = text(rec.MEGAENTITYID);
  if (TRANSACTIONS.has(object)) return owner === entityId;
  return owner === "" || owner === entityId;
}

/** Fields a record written by the session carries. */
export function entityStamp(company: Company, entityId: string | undefined): Rec {
  if (!entityId || !isMultiEntity(company)) return {};
  const loc = (company.records.LOCATION ?? []).find((l) => l.LOCATIONID === entityId);
  return { MEGAENTITYID: entityId, MEGAENTITYNAME: text(loc?.NAME) };
}

/** A transaction written by the session: the top level only where allowed, lines at the entity's locations. */
export function checkEntityWrite(company: Company, entityId: string | undefined, lineLocations: string[]): void {
  if (!isMultiEntity(company)) return;
  if (!entityId) {
    if (company.entityRequired) {
      refuse(
        "Transactions in this company are entered at the entity level; this session is at the top level.",
        "Sign in to an entity (getAPISession with locationid) and enter the transaction there.",
      );
    }
    return;
  }
  for (const loc of lineLocations) {
    if (loc && entityOfLocation(company, loc) !== entityId) refuse(`Invalid Location '${loc}' specified.`, "Use an existing, active location.");
  }
}
