/**
 * Resolve (validate) an address before calculating tax. A resolved address continues with the
 * validated form and its coordinates; an undeliverable, unresolvable or too coarse address parks
 * the record in the review queue (NeedsReview "invalid_address") with AvaTax's messages, so no
 * tax is posted until someone fixes the address.
 *
 * AvaTax validates US and Canadian addresses only; Avalara asks integrations not to call it for
 * other countries, so those pass through unvalidated (or go to review, by config).
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Addresses/ResolveAddressPost/
 */
import { z } from "zod";
import { NeedsReviewError } from "../../sdk";
import { address } from "../schemas";
import { SYSTEM } from "../transport";
import { node } from "./shared";

/** AvaTax ResolutionQuality, coarsest first. */
export const RESOLUTION_QUALITY = [
  "NotCoded",
  "External",
  "CountryCentroid",
  "RegionCentroid",
  "PartialCentroid",
  "PostalCentroidGood",
  "PostalCentroidBetter",
  "PostalCentroidBest",
  "Intersection",
  "Interpolated",
  "Rooftop",
  "Constant",
] as const;

const config = z.object({
  textCase: z.enum(["Mixed", "Upper"]).default("Mixed").describe("Case of the validated address."),
  minimumQuality: z
    .enum(RESOLUTION_QUALITY)
    .default("PostalCentroidGood")
    .describe("Coarser resolutions than this need review (PostalCentroidGood accepts a ZIP-level match)."),
  otherCountries: z
    .enum(["skip", "review"])
    .default("skip")
    .describe("Addresses outside the US and Canada: pass through unvalidated, or send to review."),
});

const input = address.extend({
  reference: z.string().max(200).optional().describe("Who the address belongs to (customer code/name), shown in the review queue."),
});

const validatedAddress = z.object({
  line1: z.string(),
  line2: z.string(),
  line3: z.string(),
  city: z.string(),
  region: z.string(),
  country: z.string(),
  postalCode: z.string(),
});

const output = z.object({
  status: z.enum(["validated", "skipped"]).describe("skipped: outside the US and Canada, not validated."),
  resolutionQuality: z.string(),
  address: validatedAddress.describe("The validated address (the input as given when skipped)."),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  taxAuthorities: z.array(z.object({ jurisdictionName: z.string(), jurisdictionType: z.string() })),
  messages: z.array(z.object({ summary: z.string(), details: z.string().optional(), severity: z.string().optional() })),
  original: address,
});

const oneLine = (a: z.output<typeof address>) =>
  [a.line1, a.line2, a.city, [a.region, a.postalCode].filter(Boolean).join(" "), a.country].filter(Boolean).join(", ");

export const resolveAddress = node({
  type: "avalara.resolveAddress",
  version: 1,
  title: "Resolve address (Avalara)",
  description: "Validate an address with AvaTax. Invalid or undeliverable addresses go to the review queue before any tax is posted.",
  category: "connector",
  icon: "map-pin",
  config,
  input,
  output,
  effect: { kind: "read" },
  async run(ctx, i, c) {
    const { reference, ...addr } = i;
    const country = (addr.country ?? "US").toUpperCase();
    const asGiven = {
      line1: addr.line1 ?? "",
      line2: addr.line2 ?? "",
      line3: addr.line3 ?? "",
      city: addr.city ?? "",
      region: addr.region ?? "",
      country,
      postalCode: addr.postalCode ?? "",
    };
    const who = reference ? ` for ${reference}` : "";
    if (country !== "US" && country !== "CA") {
      if (c.otherCountries === "review") {
        throw new NeedsReviewError(`Address${who} is outside the US and Canada and cannot be validated: ${oneLine(addr)}`, {
          system: SYSTEM,
          reasonCode: "invalid_address",
          details: { address: addr, reference },
        });
      }
      ctx.log.info(`Address${who} in ${country}: AvaTax validates US and Canadian addresses only; passed through unvalidated`);
      return {
        status: "skipped" as const,
        resolutionQuality: "NotCoded",
        address: asGiven,
        latitude: addr.latitude ?? null,
        longitude: addr.longitude ?? null,
        taxAuthorities: [],
        messages: [],
        original: addr,
      };
    }

    let resolution;
    try {
      resolution = await ctx.client.resolveAddress({ ...addr, country }, c.textCase);
    } catch (error) {
      if (error instanceof NeedsReviewError) ctx.log.warn(`Address${who} is incomplete or invalid: ${oneLine(addr)}`);
      throw error;
    }
    const messages = (resolution.messages ?? []).map((m) => ({ summary: m.summary, details: m.details, severity: m.severity }));
    const errors = messages.filter((m) => m.severity === "Error" || m.severity === "Exception");
    const validated = resolution.validatedAddresses?.[0];
    const quality = resolution.resolutionQuality || "NotCoded";
    const qualityRank = RESOLUTION_QUALITY.indexOf(quality as (typeof RESOLUTION_QUALITY)[number]);
    const tooCoarse = qualityRank < RESOLUTION_QUALITY.indexOf(c.minimumQuality);
    if (errors.length > 0 || !validated || tooCoarse) {
      const reason =
        errors.map((m) => m.summary).join(" ") ||
        (validated ? `resolution ${quality} is coarser than ${c.minimumQuality}` : "no validated address returned");
      ctx.log.warn(`Address${who} needs review: ${reason}`, { address: addr, messages });
      throw new NeedsReviewError(`Address${who} needs review: ${reason} (${oneLine(addr)})`, {
        system: SYSTEM,
        status: 200,
        code: "AddressNotResolved",
        reasonCode: "invalid_address",
        details: { address: addr, reference, resolutionQuality: quality, messages },
      });
    }
    for (const m of messages) ctx.log.info(`Avalara address message: ${m.summary}`, m);
    return {
      status: "validated" as const,
      resolutionQuality: quality,
      address: {
        line1: validated.line1,
        line2: validated.line2,
        line3: validated.line3,
        city: validated.city,
        region: validated.region,
        country: validated.country || country,
        postalCode: validated.postalCode,
      },
      latitude: resolution.coordinates?.latitude ?? validated.latitude ?? null,
      longitude: resolution.coordinates?.longitude ?? validated.longitude ?? null,
      taxAuthorities: (resolution.taxAuthorities ?? []).map((t) => ({
        jurisdictionName: t.jurisdictionName,
        jurisdictionType: t.jurisdictionType,
      })),
      messages,
      original: addr,
    };
  },
});
