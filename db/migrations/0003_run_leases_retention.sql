ALTER TABLE "idempotency_ledger" ADD COLUMN "lease_token" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "lease_token" uuid;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "lease_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "details_pruned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "retention_details_days" integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "retention_summary_days" integer DEFAULT 400 NOT NULL;--> statement-breakpoint
CREATE INDEX "runs_lease_token" ON "runs" USING btree ("lease_token");--> statement-breakpoint
CREATE INDEX "runs_workspace_finished" ON "runs" USING btree ("workspace_id","finished_at");--> statement-breakpoint
CREATE INDEX "webhook_events_workspace_received" ON "webhook_events" USING btree ("workspace_id","received_at");