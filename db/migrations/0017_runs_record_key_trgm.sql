CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "runs_record_key_trgm" ON "runs" USING gin ("record_key" gin_trgm_ops);