-- Search and tag filters served by indexes (decision 025). pg_trgm (trigram GIN indexes for
-- ILIKE '%q%') and btree_gin (the owner's id as the first column of a GIN index) ship with
-- PostgreSQL's contrib and are trusted extensions: a user with CREATE on the database may add them,
-- no superuser needed. Neon has both; PGlite loads them in src/db/client.ts.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX "tasks_user_title_trgm_idx" ON "tasks" USING gin ("user_id","title" gin_trgm_ops) WITH (gin_pending_list_limit=64);--> statement-breakpoint
CREATE INDEX "tasks_user_description_trgm_idx" ON "tasks" USING gin ("user_id","description" gin_trgm_ops) WITH (gin_pending_list_limit=64);--> statement-breakpoint
CREATE INDEX "tasks_user_tags_idx" ON "tasks" USING gin ("user_id","tags") WITH (gin_pending_list_limit=64);
