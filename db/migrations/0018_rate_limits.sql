CREATE TABLE "rate_limit_slots" (
	"key" text NOT NULL,
	"slot" integer NOT NULL,
	"holder" text,
	"expires_at" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "rate_limit_slots_key_slot_pk" PRIMARY KEY("key","slot")
);
--> statement-breakpoint
CREATE TABLE "rate_limit_windows" (
	"key" text NOT NULL,
	"name" text NOT NULL,
	"limit" integer NOT NULL,
	"period_ms" bigint NOT NULL,
	"used" integer DEFAULT 0 NOT NULL,
	"reset_at" bigint NOT NULL,
	"blocked_until" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "rate_limit_windows_key_name_pk" PRIMARY KEY("key","name")
);
