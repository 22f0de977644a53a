/**
 * Procedures the flow editor needs beyond the flows router (owned by the editor).
 */
import { router } from "../trpc";

export const editorRouter = router({});
