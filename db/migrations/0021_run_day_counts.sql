CREATE TABLE "run_day_counts" (
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"day" date NOT NULL,
	"status" text NOT NULL,
	"runs" integer NOT NULL,
	CONSTRAINT "run_day_counts_workspace_id_flow_id_day_status_pk" PRIMARY KEY("workspace_id","flow_id","day","status")
);
--> statement-breakpoint
CREATE TABLE "run_day_counts_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"covered_until" timestamp with time zone NOT NULL,
	"finished_before" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "run_day_counts" ADD CONSTRAINT "run_day_counts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_day_counts" ADD CONSTRAINT "run_day_counts_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;