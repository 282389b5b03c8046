-- Search through one index keyed by the owner and the trigram together (decision 040). The GIN
-- indexes of 0005 hold the owner (btree_gin) and the trigrams as separate entries, so a search
-- intersects the owner's whole posting list with the trigrams': its cost grew with the user's
-- tasks (0.08 ms at 1,000, 0.55 ms at 100,000 for a term in 1 task in 1,000). Here each entry is
-- hashtext(owner) in the high 32 bits and hashtext(trigram) in the low ones, so a search reads
-- only this owner's tasks that hold each of the term's trigrams. A hash collision only adds
-- candidates: the queries keep `user_id = $1` and ILIKE, which decide.
--
-- task_search_keys: the entries of a task, from pg_trgm's show_trgm of the title and the
-- description joined by a space (pg_trgm splits words there, so no trigram spans the two fields).
-- task_search_query_keys: the entries every match must hold: the trigrams of q that do not depend
-- on what surrounds q in the text (not the padded ones of its first and last words, which a match
-- inside a longer word does not have), found as those that show_trgm gives for q alone and for q
-- between two letters, twice with different letters. Both are created with show_trgm qualified by
-- the schema pg_trgm is installed in, so that an index build or a restore with another
-- search_path finds it.
DO $do$
DECLARE trgm text := (
  SELECT quote_ident(n.nspname) FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
  WHERE e.extname = 'pg_trgm'
);
BEGIN
  EXECUTE format($f$
    CREATE FUNCTION task_search_keys(owner text, title text, description text) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$
      SELECT array(
        SELECT (hashtext(owner)::bigint << 32) | (hashtext(t)::bigint & 4294967295)
        FROM unnest(%1$s.show_trgm(title || ' ' || coalesce(description, ''))) AS t)
    $b$$f$, trgm);
  EXECUTE format($f$
    CREATE FUNCTION task_search_query_keys(owner text, q text) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$
      SELECT array(
        SELECT (hashtext(owner)::bigint << 32) | (hashtext(t)::bigint & 4294967295)
        FROM unnest(%1$s.show_trgm(q)) AS t
        WHERE t = any(%1$s.show_trgm('a' || q || 'a')) AND t = any(%1$s.show_trgm('b' || q || 'b')))
    $b$$f$, trgm);
END $do$;
--> statement-breakpoint
DROP INDEX "tasks_user_title_trgm_idx";--> statement-breakpoint
DROP INDEX "tasks_user_description_trgm_idx";--> statement-breakpoint
CREATE INDEX "tasks_user_search_keys_idx" ON "tasks" USING gin (task_search_keys("user_id", "title", "description")) WITH (gin_pending_list_limit=64) WHERE "tasks"."deleted_at" is null;