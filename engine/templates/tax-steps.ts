/**
 * What the tax templates share: the jurisdictions of an Avalara result that carry tax.
 */
import { cents } from "./types";

/** Jurisdictions of the Avalara result that carry tax, rounded to cents. */
export const NON_ZERO_JURISDICTIONS = `jurisdictions[${cents("tax")} != 0]`;
