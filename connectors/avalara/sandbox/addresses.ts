/**
 * Address resolution (`/api/v2/addresses/resolve`) against the gazetteer, shaped like AvaTax's
 * AddressResolutionModel. Good addresses resolve with coordinates and a resolution quality; an
 * undeliverable one comes back as HTTP 200 with error messages; a grossly incomplete one gets the
 * documented GetTaxError envelope.
 * https://developer.avalara.com/avatax/address-validation/
 */
import { findPlace, findStreet, taxStates, type Gazetteer, type GazetteerPlace } from "./gazetteer";
import { AvaTaxFault, type AddressInfo, type MessageModel } from "./wire";

export interface AddressValidationInfo extends AddressInfo {
  textCase?: "Upper" | "Mixed" | "Lower";
}

const SOURCE = "Avalara.AvaTax.Services.Address";
const message = (summary: string, details: string, refersTo = "Address"): MessageModel => ({
  summary,
  details,
  refersTo,
  severity: "Error",
  source: SOURCE,
});

const titleCase = (text: string): string =>
  text
    .toLowerCase()
    .replace(/\b([a-z])/g, (c) => c.toUpperCase())
    .replace(/\b(Ne|Nw|Se|Sw)\b/g, (d) => d.toUpperCase())
    .replace(/\b(\d+)(St|Nd|Rd|Th)\b/g, (_m, n: string, s: string) => n + s.toLowerCase());

function applyCase<T extends Record<string, unknown>>(value: T, textCase: string | undefined): T {
  if (textCase !== "Upper" && textCase !== "Lower") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === "string" && k !== "addressType" ? (textCase === "Upper" ? v.toUpperCase() : v.toLowerCase()) : v;
  }
  return out as T;
}

function taxAuthorities(place: GazetteerPlace) {
  const state = taxStates[place.region]?.state;
  const all = [...(state ? [state] : []), ...place.local];
  const types: Record<string, string> = { STA: "State", CTY: "County", CIT: "City", STJ: "Special", CNT: "Country" };
  return all.map((j) => ({
    avalaraId: j.signatureCode,
    jurisdictionName: j.jurisName,
    jurisdictionType: types[j.jurisType],
    signatureCode: j.signatureCode,
  }));
}

export function resolveAddress(gazetteer: Gazetteer, info: AddressValidationInfo): object {
  const line1 = info.line1?.trim() || undefined;
  const country = (info.country ?? "US").trim().toUpperCase();
  const echo: AddressInfo = {
    ...(info.line1 !== undefined ? { line1: info.line1 } : {}),
    ...(info.line2 ? { line2: info.line2 } : {}),
    ...(info.line3 ? { line3: info.line3 } : {}),
    ...(info.city !== undefined ? { city: info.city } : {}),
    ...(info.region !== undefined ? { region: info.region } : {}),
    country,
    ...(info.postalCode !== undefined ? { postalCode: info.postalCode } : {}),
  };
  const hasPostal = Boolean(info.postalCode?.trim());
  const hasCityRegion = Boolean(info.city?.trim() && info.region?.trim());
  if (!hasPostal && !(line1 && hasCityRegion)) {
    throw new AvaTaxFault(400, "GetTaxError", "An Address is incomplete or invalid.", {
      refersTo: "Addresses[0]",
      description: "Supply at least a postal code, or a street line with city and region.",
    });
  }
  const unresolved = (messages: MessageModel[]) => ({
    address: echo,
    validatedAddresses: [{ addressType: "UnknownAddressType", ...echo, line2: info.line2 ?? "", line3: info.line3 ?? "" }],
    resolutionQuality: "NotCoded",
    messages,
  });
  if (country !== "US" && country !== "CA") {
    return unresolved([
      message(
        "Address validation is not available for this country.",
        `AvaTax validates addresses in the United States and Canada only; '${country}' was given.`,
        "Address.Country",
      ),
    ]);
  }
  const place = findPlace(gazetteer, { postalCode: info.postalCode, city: info.city, region: info.region, country });
  if (!place || place.country !== country) {
    return unresolved([
      message("The address could not be geocoded.", "The postal code, city and region could not be matched to a location.", "Address.PostalCode"),
    ]);
  }
  const regionGiven = info.region?.trim().toUpperCase();
  const cityGiven = info.city?.trim().toUpperCase();
  if ((regionGiven && regionGiven !== place.region) || (cityGiven && cityGiven !== place.city.toUpperCase())) {
    return unresolved([
      message(
        "The city, region and postal code do not match.",
        `Postal code ${place.postalCode} belongs to ${place.city}, ${place.region}.`,
        "Address.City",
      ),
    ]);
  }

  const base = { line2: info.line2 ?? "", line3: info.line3 ?? "", city: place.city, region: place.region, country: place.country };
  const resolved = (
    line: string,
    postalCode: string,
    latitude: number,
    longitude: number,
    quality: string,
    addressType: string,
  ) => ({
    address: echo,
    validatedAddresses: [applyCase({ addressType, line1: line, ...base, postalCode, latitude, longitude }, info.textCase)],
    coordinates: { latitude, longitude },
    resolutionQuality: quality,
    taxAuthorities: taxAuthorities(place),
  });

  if (!line1) {
    return resolved("", place.postalCode, place.latitude, place.longitude, "PostalCentroidGood", "PostalCentroid");
  }
  const { street, number, name } = findStreet(gazetteer, place, line1);
  if (number === undefined) {
    return unresolved([message("The address number is missing.", "The street line has no house number.", "Address.Line1")]);
  }
  if (!street) {
    // A street the gazetteer does not list house by house: interpolated on the postal code.
    return resolved(`${number} ${titleCase(name)}`, place.postalCode, place.latitude, place.longitude, "Interpolated", "StreetOrResidentialAddress");
  }
  if (number < street.numbers[0] || number > street.numbers[1]) {
    return unresolved([
      message("The address number is out of range", "The address number in the input address is not valid for this street.", "Address.Line1"),
    ]);
  }
  if (street.deliverable === false) {
    return unresolved([
      message(
        "The address is not deliverable.",
        "The physical location exists but there are no homes on this street. One reason might be railroad tracks or rivers running alongside this street, as they would prevent construction of homes in this location.",
      ),
    ]);
  }
  const postalCode = street.plus4 ? `${place.postalCode}-${street.plus4}` : place.postalCode;
  return resolved(`${number} ${street.street}`, postalCode, street.latitude, street.longitude, "Rooftop", "StreetOrResidentialAddress");
}

