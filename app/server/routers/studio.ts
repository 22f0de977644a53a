/**
 * Procedures the Studio pages need beyond the core routers (owned by the Studio pages).
 */
import { router } from "../trpc";

export const studioRouter = router({});
