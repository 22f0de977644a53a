CREATE INDEX "runs_workspace_flow_created" ON "runs" USING btree ("workspace_id","flow_id","created_at","status","trigger_kind");--> statement-breakpoint
-- A flow belongs to one workspace: without this the planner takes workspace_id = ... as a second, independent filter on a flow's runs.
CREATE STATISTICS IF NOT EXISTS "runs_workspace_flow_deps" (dependencies) ON "workspace_id", "flow_id" FROM "runs";
