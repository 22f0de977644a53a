import { alertsRouter } from "./routers/alerts";
import { approvalsRouter } from "./routers/approvals";
import { auditRouter } from "./routers/audit";
import { connectionsRouter } from "./routers/connections";
import { editorRouter } from "./routers/editor";
import { studioRouter } from "./routers/studio";
import { flowsRouter } from "./routers/flows";
import { checkpointsRouter } from "./routers/checkpoints";
import { flowTransferRouter } from "./routers/flow-transfer";
import { runInputRouter } from "./routers/run-input";
import { lookupsRouter } from "./routers/lookups";
import { registryRouter } from "./routers/registry";
import { reportsRouter } from "./routers/reports";
import { reviewsRouter } from "./routers/reviews";
import { runsRouter } from "./routers/runs";
import { templatesRouter } from "./routers/templates";
import { wizardRouter } from "./routers/wizard";
import { templateImprovementsRouter } from "./routers/template-improvements";
import { mcpRouter } from "./routers/mcp";
import { membersRouter } from "./routers/members";
import { ssoRouter } from "./routers/sso";
import { tokensRouter } from "./routers/tokens";
import { workspacesRouter } from "./routers/workspaces";
import { router } from "./trpc";

export const appRouter = router({
  registry: registryRouter,
  flows: flowsRouter,
  flowTransfer: flowTransferRouter,
  runInput: runInputRouter,
  checkpoints: checkpointsRouter,
  runs: runsRouter,
  reviews: reviewsRouter,
  approvals: approvalsRouter,
  lookups: lookupsRouter,
  connections: connectionsRouter,
  templates: templatesRouter,
  wizard: wizardRouter,
  templateImprovements: templateImprovementsRouter,
  editor: editorRouter,
  studio: studioRouter,
  audit: auditRouter,
  workspaces: workspacesRouter,
  members: membersRouter,
  tokens: tokensRouter,
  sso: ssoRouter,
  alerts: alertsRouter,
  reports: reportsRouter,
  mcp: mcpRouter,
});

export type AppRouter = typeof appRouter;
