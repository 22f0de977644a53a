ALTER TABLE "flows" ADD COLUMN "template_version" integer;--> statement-breakpoint
ALTER TABLE "flows" ADD COLUMN "wizard" jsonb;