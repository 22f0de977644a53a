CREATE TABLE "mapping_versions" (
	"workspace_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mapping_versions" ADD CONSTRAINT "mapping_versions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Every statement that changes a workspace's mapping rows, from any code path, moves its version
-- (in the same transaction), so a worker's cached row is used only while the version it was read
-- at is current. A workspace being deleted (the rows go by cascade) is left out: its row goes too.
CREATE FUNCTION "bump_mapping_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mapping_versions (workspace_id, version)
  SELECT DISTINCT c.workspace_id, 1 FROM changed c JOIN workspaces w ON w.id = c.workspace_id
  ON CONFLICT (workspace_id) DO UPDATE SET version = mapping_versions.version + 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "lookup_rows_inserted" AFTER INSERT ON "lookup_rows" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "bump_mapping_version"();--> statement-breakpoint
CREATE TRIGGER "lookup_rows_updated" AFTER UPDATE ON "lookup_rows" REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "bump_mapping_version"();--> statement-breakpoint
CREATE TRIGGER "lookup_rows_deleted" AFTER DELETE ON "lookup_rows" REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "bump_mapping_version"();
