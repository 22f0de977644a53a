/**
 * Runs in the browser before any page module (Next.js loads it ahead of hydration): Zod's
 * settings must be in place before the first schema is built, whichever chunk builds it.
 */
import "./app/lib/zod-config";
