/**
 * Zod in the browser parses without compiling: its fast path probes `new Function`, which the
 * pages' Content-Security-Policy refuses (no eval), and the refused probe is reported as a policy
 * violation. Imported first by the root layout's client setup, before any schema is built.
 */
import { z } from "zod";

z.config({ jitless: true });
