CREATE TABLE "summary_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"window_id" uuid NOT NULL,
	"summary" text NOT NULL,
	"group_key" text NOT NULL,
	"group_value" jsonb NOT NULL,
	"record_key" text NOT NULL,
	"run_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"lines" jsonb NOT NULL,
	"amount_minor" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "summary_windows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"summary" text NOT NULL,
	"window_key" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"emitted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "summary_items" ADD CONSTRAINT "summary_items_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "summary_items" ADD CONSTRAINT "summary_items_window_id_summary_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."summary_windows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "summary_windows" ADD CONSTRAINT "summary_windows_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "summary_items_record" ON "summary_items" USING btree ("workspace_id","summary","record_key");--> statement-breakpoint
CREATE INDEX "summary_items_window" ON "summary_items" USING btree ("window_id","group_key");--> statement-breakpoint
CREATE UNIQUE INDEX "summary_windows_key" ON "summary_windows" USING btree ("workspace_id","summary","window_key");--> statement-breakpoint
CREATE INDEX "summary_windows_open" ON "summary_windows" USING btree ("workspace_id","summary","closed_at");