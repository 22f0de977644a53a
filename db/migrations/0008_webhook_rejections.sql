CREATE TABLE "webhook_rejections" (
	"day" text NOT NULL,
	"flow_id" text DEFAULT '' NOT NULL,
	"node_id" text DEFAULT '' NOT NULL,
	"status" integer NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"last_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_rejections_day_flow_id_node_id_status_pk" PRIMARY KEY("day","flow_id","node_id","status")
);
