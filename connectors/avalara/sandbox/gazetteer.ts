/**
 * The sandbox's small gazetteer: the places (ZIP codes) and streets it can resolve, and the local
 * tax jurisdictions of each place. Tax rates are the sandbox's own deterministic tables, shaped
 * like AvaTax's (state, county, city and special districts with their jurisdiction codes).
 *
 * Extending it: other connectors' sandboxes seed demo customers; give them addresses from
 * `demoAddresses` below, or add a street/place here (one line each) so their addresses resolve.
 *
 * Glossary
 * - place:   one ZIP code with its city, county, coordinates and local jurisdictions.
 * - street:  a street inside a place with its valid house-number range and ZIP+4.
 * - quality: AvaTax's ResolutionQuality (Rooftop, Interpolated, PostalCentroidGood, ...).
 */

export type JurisTypeId = "STA" | "CTY" | "CIT" | "STJ" | "CNT";

export interface Jurisdiction {
  jurisType: JurisTypeId;
  jurisCode: string;
  jurisName: string;
  /** Tax name as AvaTax prints it, e.g. "WA STATE TAX", "CA SPECIAL TAX". */
  taxName: string;
  rate: number;
  signatureCode: string;
  stateAssignedNo?: string;
}

export interface UsState {
  code: string;
  name: string;
  /** State jurisdiction; undefined when the demo company has no nexus there. */
  state?: Jurisdiction;
}

export interface GazetteerPlace {
  postalCode: string;
  city: string;
  county: string;
  region: string;
  country: string;
  latitude: number;
  longitude: number;
  /** Jurisdictions below the state: county, city, special districts. */
  local: Jurisdiction[];
}

export interface GazetteerStreet {
  /** Street without the house number, in USPS style: "S King St". */
  street: string;
  postalCode: string;
  /** Valid house numbers (inclusive). */
  numbers: [number, number];
  /** ZIP+4 add-on for addresses on this street. */
  plus4: string;
  latitude: number;
  longitude: number;
  /** False for streets where the location exists but mail is not delivered. */
  deliverable?: boolean;
}

const sta = (code: string, name: string, rate: number, signatureCode: string): Jurisdiction => ({
  jurisType: "STA",
  jurisCode: code,
  jurisName: name,
  taxName: `${signatureCode.slice(0, 2)} STATE TAX`,
  rate,
  signatureCode,
});

/** States with tax tables (the demo companies have nexus in these). */
export const taxStates: Record<string, UsState> = {
  WA: { code: "WA", name: "WASHINGTON", state: sta("53", "WASHINGTON", 0.065, "WAST") },
  CA: { code: "CA", name: "CALIFORNIA", state: sta("06", "CALIFORNIA", 0.06, "CAST") },
  NY: { code: "NY", name: "NEW YORK", state: sta("36", "NEW YORK", 0.04, "NYST") },
  TX: { code: "TX", name: "TEXAS", state: sta("48", "TEXAS", 0.0625, "TXST") },
  IL: { code: "IL", name: "ILLINOIS", state: sta("17", "ILLINOIS", 0.0625, "ILST") },
  CO: { code: "CO", name: "COLORADO", state: sta("08", "COLORADO", 0.029, "COST") },
};

/** Every US state's name, for states without tax tables (no nexus: zero tax). */
export const usStateNames: Record<string, string> = Object.fromEntries(
  (
    "AL ALABAMA|AK ALASKA|AZ ARIZONA|AR ARKANSAS|CA CALIFORNIA|CO COLORADO|CT CONNECTICUT|DE DELAWARE|" +
    "DC DISTRICT OF COLUMBIA|FL FLORIDA|GA GEORGIA|HI HAWAII|ID IDAHO|IL ILLINOIS|IN INDIANA|IA IOWA|KS KANSAS|" +
    "KY KENTUCKY|LA LOUISIANA|ME MAINE|MD MARYLAND|MA MASSACHUSETTS|MI MICHIGAN|MN MINNESOTA|MS MISSISSIPPI|" +
    "MO MISSOURI|MT MONTANA|NE NEBRASKA|NV NEVADA|NH NEW HAMPSHIRE|NJ NEW JERSEY|NM NEW MEXICO|NY NEW YORK|" +
    "NC NORTH CAROLINA|ND NORTH DAKOTA|OH OHIO|OK OKLAHOMA|OR OREGON|PA PENNSYLVANIA|RI RHODE ISLAND|" +
    "SC SOUTH CAROLINA|SD SOUTH DAKOTA|TN TENNESSEE|TX TEXAS|UT UTAH|VT VERMONT|VA VIRGINIA|WA WASHINGTON|" +
    "WV WEST VIRGINIA|WI WISCONSIN|WY WYOMING|PR PUERTO RICO"
  )
    .split("|")
    .map((entry) => [entry.slice(0, 2), entry.slice(3)]),
);

const local = (
  jurisType: JurisTypeId,
  jurisCode: string,
  jurisName: string,
  taxName: string,
  rate: number,
  signatureCode: string,
): Jurisdiction => ({ jurisType, jurisCode, jurisName, taxName, rate, signatureCode });

// Shared special districts.
const waRta = local("STJ", "EMTV0", "REGIONAL TRANSIT AUTHORITY", "WA SPECIAL TAX", 0.014, "EMTV");
const nyMctd = local("STJ", "359071", "METROPOLITAN COMMUTER TRANSPORTATION DISTRICT", "NY SPECIAL TAX", 0.00375, "BMSV");
const ilRta = local("STJ", "AQOF", "REGIONAL TRANSPORT. AUTHORITY (RTA)", "IL SPECIAL TAX", 0.01, "AQOF");
const coRtd = local("STJ", "EMAR0", "REGIONAL TRANSPORTATION DIST (RTD)", "CO SPECIAL TAX", 0.01, "EMAR");
const coCd = local("STJ", "EMBG0", "SCIENTIFIC AND CULTURAL FACILITIES DIST (SCFD)", "CO SPECIAL TAX", 0.001, "EMBG");
const sfCounty = local("CTY", "075", "SAN FRANCISCO", "CA COUNTY TAX", 0.0025, "AHXU");
const sfSpecial = [
  local("STJ", "EMAZ0", "SAN FRANCISCO CO LOCAL TAX SL", "CA SPECIAL TAX", 0.01, "EMAZ"),
  local("STJ", "EMTN0", "SAN FRANCISCO COUNTY DISTRICT TAX SP", "CA SPECIAL TAX", 0.01375, "EMTN"),
];

/** Places by ZIP code. Rates: WA Seattle 10.35%, CA San Francisco 8.625%, NY NYC 8.875%, ... */
export const places: GazetteerPlace[] = [
  {
    postalCode: "98104", city: "Seattle", county: "King", region: "WA", country: "US", latitude: 47.6009, longitude: -122.3309,
    local: [local("CIT", "63000", "SEATTLE", "WA CITY TAX", 0.0245, "BVZB"), waRta],
  },
  {
    postalCode: "98101", city: "Seattle", county: "King", region: "WA", country: "US", latitude: 47.6114, longitude: -122.3336,
    local: [local("CIT", "63000", "SEATTLE", "WA CITY TAX", 0.0245, "BVZB"), waRta],
  },
  {
    postalCode: "98109", city: "Seattle", county: "King", region: "WA", country: "US", latitude: 47.6275, longitude: -122.3446,
    local: [local("CIT", "63000", "SEATTLE", "WA CITY TAX", 0.0245, "BVZB"), waRta],
  },
  {
    postalCode: "94115", city: "San Francisco", county: "San Francisco", region: "CA", country: "US", latitude: 37.7856, longitude: -122.4358,
    local: [sfCounty, ...sfSpecial],
  },
  {
    postalCode: "10271", city: "New York", county: "New York", region: "NY", country: "US", latitude: 40.7087, longitude: -74.0107,
    local: [local("CIT", "51000", "NEW YORK CITY", "NY CITY TAX", 0.045, "BLSP"), nyMctd],
  },
  {
    postalCode: "98052", city: "Redmond", county: "King", region: "WA", country: "US", latitude: 47.6694, longitude: -122.1239,
    local: [local("CIT", "57535", "REDMOND", "WA CITY TAX", 0.025, "BVPL"), waRta],
  },
  {
    postalCode: "94105", city: "San Francisco", county: "San Francisco", region: "CA", country: "US", latitude: 37.7898, longitude: -122.3942,
    local: [sfCounty, ...sfSpecial],
  },
  {
    postalCode: "92618", city: "Irvine", county: "Orange", region: "CA", country: "US", latitude: 33.6607, longitude: -117.7436,
    local: [
      local("CTY", "059", "ORANGE", "CA COUNTY TAX", 0.0025, "AHXV"),
      local("STJ", "EMBE0", "ORANGE CO LOCAL TAX SL", "CA SPECIAL TAX", 0.01, "EMBE"),
      local("STJ", "EMCA0", "ORANGE COUNTY DISTRICT TAX SP", "CA SPECIAL TAX", 0.005, "EMCA"),
    ],
  },
  {
    postalCode: "10118", city: "New York", county: "New York", region: "NY", country: "US", latitude: 40.7484, longitude: -73.9857,
    local: [local("CIT", "51000", "NEW YORK CITY", "NY CITY TAX", 0.045, "BLSP"), nyMctd],
  },
  {
    postalCode: "10001", city: "New York", county: "New York", region: "NY", country: "US", latitude: 40.7506, longitude: -73.9972,
    local: [local("CIT", "51000", "NEW YORK CITY", "NY CITY TAX", 0.045, "BLSP"), nyMctd],
  },
  {
    postalCode: "12210", city: "Albany", county: "Albany", region: "NY", country: "US", latitude: 42.6591, longitude: -73.7546,
    local: [local("CTY", "001", "ALBANY", "NY COUNTY TAX", 0.04, "BLAB")],
  },
  {
    postalCode: "78701", city: "Austin", county: "Travis", region: "TX", country: "US", latitude: 30.2711, longitude: -97.7437,
    local: [
      local("CIT", "2227045", "AUSTIN", "TX CITY TAX", 0.01, "BMZG"),
      local("STJ", "3227994", "AUSTIN MTA TRANSIT", "TX SPECIAL TAX", 0.01, "EMHK"),
    ],
  },
  {
    postalCode: "77002", city: "Houston", county: "Harris", region: "TX", country: "US", latitude: 29.7569, longitude: -95.3624,
    local: [
      local("CIT", "2101022", "HOUSTON", "TX CITY TAX", 0.01, "BNAH"),
      local("STJ", "3101990", "HOUSTON MTA TRANSIT", "TX SPECIAL TAX", 0.01, "EMHL"),
    ],
  },
  {
    postalCode: "60606", city: "Chicago", county: "Cook", region: "IL", country: "US", latitude: 41.8786, longitude: -87.6368,
    local: [
      local("CTY", "031", "COOK", "IL COUNTY TAX", 0.0175, "AHMN"),
      local("CIT", "14000", "CHICAGO", "IL CITY TAX", 0.0125, "AQOE"),
      ilRta,
    ],
  },
  {
    postalCode: "60601", city: "Chicago", county: "Cook", region: "IL", country: "US", latitude: 41.8857, longitude: -87.6229,
    local: [
      local("CTY", "031", "COOK", "IL COUNTY TAX", 0.0175, "AHMN"),
      local("CIT", "14000", "CHICAGO", "IL CITY TAX", 0.0125, "AQOE"),
      ilRta,
    ],
  },
  {
    postalCode: "80202", city: "Denver", county: "Denver", region: "CO", country: "US", latitude: 39.7491, longitude: -104.9946,
    local: [local("CIT", "20000", "DENVER", "CO CITY TAX", 0.0515, "BJBQ"), coRtd, coCd],
  },
  {
    postalCode: "80302", city: "Boulder", county: "Boulder", region: "CO", country: "US", latitude: 40.0176, longitude: -105.2797,
    local: [
      local("CTY", "013", "BOULDER", "CO COUNTY TAX", 0.01185, "AHCG"),
      local("CIT", "07850", "BOULDER", "CO CITY TAX", 0.0386, "BJAK"),
      coRtd,
      coCd,
    ],
  },
  // Outside the tax tables: resolves, but the demo companies have no nexus there (zero tax).
  {
    postalCode: "33131", city: "Miami", county: "Miami-Dade", region: "FL", country: "US", latitude: 25.7663, longitude: -80.1917,
    local: [],
  },
  {
    postalCode: "97204", city: "Portland", county: "Multnomah", region: "OR", country: "US", latitude: 45.5181, longitude: -122.6767,
    local: [],
  },
  // Canada: resolves (AvaTax validates US and Canadian addresses).
  {
    postalCode: "M5J 2N8", city: "Toronto", county: "Toronto", region: "ON", country: "CA", latitude: 43.6426, longitude: -79.3871,
    local: [],
  },
];

/** Streets the gazetteer knows house by house (Rooftop quality). */
export const streets: GazetteerStreet[] = [
  { street: "S King St", postalCode: "98104", numbers: [100, 599], plus4: "2845", latitude: 47.5982, longitude: -122.3317 },
  { street: "Pine St", postalCode: "98101", numbers: [100, 2099], plus4: "1534", latitude: 47.6120, longitude: -122.3344 },
  { street: "NE 36th St", postalCode: "98052", numbers: [15000, 15999], plus4: "6399", latitude: 47.6423, longitude: -122.1369 },
  { street: "Market St", postalCode: "94105", numbers: [1, 99], plus4: "1420", latitude: 37.7941, longitude: -122.3951 },
  { street: "Spectrum Center Dr", postalCode: "92618", numbers: [1, 999], plus4: "4913", latitude: 33.6495, longitude: -117.7426 },
  { street: "5th Ave", postalCode: "10118", numbers: [350, 350], plus4: "0110", latitude: 40.7484, longitude: -73.9857 },
  { street: "W 34th St", postalCode: "10001", numbers: [200, 599], plus4: "1023", latitude: 40.7520, longitude: -73.9945 },
  { street: "Washington Ave", postalCode: "12210", numbers: [1, 299], plus4: "2314", latitude: 42.6555, longitude: -73.7590 },
  { street: "Congress Ave", postalCode: "78701", numbers: [100, 1199], plus4: "3248", latitude: 30.2686, longitude: -97.7428 },
  { street: "Main St", postalCode: "77002", numbers: [500, 1999], plus4: "6607", latitude: 29.7572, longitude: -95.3636 },
  { street: "S Wacker Dr", postalCode: "60606", numbers: [1, 599], plus4: "6306", latitude: 41.8789, longitude: -87.6359 },
  { street: "E Randolph St", postalCode: "60601", numbers: [100, 399], plus4: "6436", latitude: 41.8847, longitude: -87.6215 },
  { street: "California St", postalCode: "80202", numbers: [1000, 2199], plus4: "2610", latitude: 39.7470, longitude: -104.9901 },
  { street: "Pearl St", postalCode: "80302", numbers: [900, 2999], plus4: "5131", latitude: 40.0179, longitude: -105.2783 },
  { street: "Brickell Ave", postalCode: "33131", numbers: [1, 1999], plus4: "2808", latitude: 25.7664, longitude: -80.1906 },
  { street: "SW Broadway", postalCode: "97204", numbers: [100, 1499], plus4: "3519", latitude: 45.5176, longitude: -122.6797 },
  { street: "Front St W", postalCode: "M5J 2N8", numbers: [1, 399], plus4: "", latitude: 43.6431, longitude: -79.3843 },
  // The location exists but mail is not delivered there: resolves with an error message.
  { street: "Railyard Access Rd", postalCode: "78701", numbers: [1, 99], plus4: "", latitude: 30.2650, longitude: -97.7500, deliverable: false },
];

/**
 * One real-looking, resolvable address per supported state (plus the no-nexus and review cases):
 * use these for demo customers in other sandboxes so their flows resolve and get taxed.
 */
export const demoAddresses = {
  WA: { line1: "255 S King St", city: "Seattle", region: "WA", postalCode: "98104", country: "US" },
  WA_REDMOND: { line1: "15010 NE 36th St", city: "Redmond", region: "WA", postalCode: "98052", country: "US" },
  CA: { line1: "1 Market St", city: "San Francisco", region: "CA", postalCode: "94105", country: "US" },
  CA_IRVINE: { line1: "100 Spectrum Center Dr", city: "Irvine", region: "CA", postalCode: "92618", country: "US" },
  NY: { line1: "350 5th Ave", city: "New York", region: "NY", postalCode: "10118", country: "US" },
  NY_ALBANY: { line1: "99 Washington Ave", city: "Albany", region: "NY", postalCode: "12210", country: "US" },
  TX: { line1: "600 Congress Ave", city: "Austin", region: "TX", postalCode: "78701", country: "US" },
  TX_HOUSTON: { line1: "1000 Main St", city: "Houston", region: "TX", postalCode: "77002", country: "US" },
  IL: { line1: "233 S Wacker Dr", city: "Chicago", region: "IL", postalCode: "60606", country: "US" },
  CO: { line1: "1701 California St", city: "Denver", region: "CO", postalCode: "80202", country: "US" },
  CO_BOULDER: { line1: "1300 Pearl St", city: "Boulder", region: "CO", postalCode: "80302", country: "US" },
  /** No nexus: resolves, zero tax. */
  FL: { line1: "1111 Brickell Ave", city: "Miami", region: "FL", postalCode: "33131", country: "US" },
  /** Canada: resolves; tax as a simple GST line. */
  CA_ON: { line1: "301 Front St W", city: "Toronto", region: "ON", postalCode: "M5J 2N8", country: "CA" },
  /** Review cases: undeliverable (200 with messages) and out-of-range house number. */
  UNDELIVERABLE: { line1: "12 Railyard Access Rd", city: "Austin", region: "TX", postalCode: "78701", country: "US" },
  OUT_OF_RANGE: { line1: "9999 Pine St", city: "Seattle", region: "WA", postalCode: "98101", country: "US" },
} as const;

// ---------------------------------------------------------------------------------------------
// Lookup

const ABBREVIATIONS: Record<string, string> = {
  STREET: "ST", AVENUE: "AVE", BOULEVARD: "BLVD", DRIVE: "DR", ROAD: "RD", LANE: "LN", COURT: "CT",
  PLACE: "PL", PLAZA: "PLZ", PARKWAY: "PKWY", HIGHWAY: "HWY", TERRACE: "TER", CENTER: "CTR",
  NORTH: "N", SOUTH: "S", EAST: "E", WEST: "W", NORTHEAST: "NE", NORTHWEST: "NW", SOUTHEAST: "SE", SOUTHWEST: "SW",
  FIFTH: "5TH", FIRST: "1ST", SECOND: "2ND", THIRD: "3RD",
};

/** Uppercase, no punctuation, USPS abbreviations: "255 South King Street" -> "255 S KING ST". */
export function normaliseStreet(text: string): string {
  return text
    .toUpperCase()
    .replace(/[.,#]/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => ABBREVIATIONS[word] ?? word)
    .join(" ");
}

export const normalisePostal = (postalCode: string): string => postalCode.trim().toUpperCase().replace(/\s+/g, " ");

export interface Gazetteer {
  places: GazetteerPlace[];
  streets: GazetteerStreet[];
}

export const defaultGazetteer: Gazetteer = { places, streets };

export function findPlace(gazetteer: Gazetteer, query: { postalCode?: string; city?: string; region?: string; country?: string }): GazetteerPlace | undefined {
  if (query.postalCode) {
    const wanted = normalisePostal(query.postalCode);
    const five = wanted.slice(0, 5);
    return gazetteer.places.find((p) => normalisePostal(p.postalCode) === wanted || (p.country === "US" && p.postalCode === five));
  }
  if (query.city && query.region) {
    const city = query.city.trim().toUpperCase();
    const region = query.region.trim().toUpperCase();
    return gazetteer.places.find((p) => p.city.toUpperCase() === city && p.region === region);
  }
  return undefined;
}

export function findStreet(gazetteer: Gazetteer, place: GazetteerPlace, line1: string): { street?: GazetteerStreet; number?: number; name: string } {
  const normal = normaliseStreet(line1);
  const match = /^(\d+)\s+(.*)$/.exec(normal);
  const number = match ? Number(match[1]) : undefined;
  const name = match ? match[2] : normal;
  const street = gazetteer.streets.find((s) => s.postalCode === place.postalCode && normaliseStreet(s.street) === name);
  return { street, number, name };
}
