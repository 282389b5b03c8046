CREATE TABLE "idempotency_keys" (
	"user_id" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" integer,
	"headers" jsonb,
	"body" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "task_events" (
	"user_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"task_id" integer NOT NULL,
	"op" text NOT NULL,
	"version" integer NOT NULL,
	"task" jsonb,
	"changed" text[] NOT NULL,
	"before" jsonb NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_events_user_id_seq_pk" PRIMARY KEY("user_id","seq")
);
--> statement-breakpoint
CREATE TABLE "user_sync" (
	"user_id" text PRIMARY KEY NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"pruned_through" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "deleted_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "task_events_user_task_idx" ON "task_events" USING btree ("user_id","task_id","seq");--> statement-breakpoint
CREATE INDEX "task_events_at_idx" ON "task_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "tasks_user_trash_idx" ON "tasks" USING btree ("user_id","deleted_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "tasks"."deleted_at" is not null;--> statement-breakpoint
-- The change log (decision 035). Statement-level triggers, like the counters of 0002: every write
-- to tasks, through any route or by hand, appends one event per changed task, in the same
-- transaction. Bumping the owner's user_sync row locks it until commit, so one user's writes take
-- turns there and their events are numbered without gaps in the order they commit; other users'
-- writes never wait. NOTIFY is only a wake-up for other processes: they also poll (decision 036).
CREATE FUNCTION record_task_events(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH c AS (
    SELECT e->>'user_id' AS user_id, (e->>'task_id')::int AS task_id, e->>'op' AS op,
      (e->>'version')::int AS version, nullif(e->'task', 'null'::jsonb) AS task,
      ARRAY(SELECT jsonb_array_elements_text(e->'changed')) AS changed, e->'before' AS before,
      row_number() OVER (PARTITION BY e->>'user_id' ORDER BY (e->>'task_id')::int) AS n
    FROM jsonb_array_elements(changes) AS e
  ), counts AS (
    SELECT user_id, count(*) AS total FROM c GROUP BY user_id
  ), bumped AS (
    INSERT INTO user_sync AS s (user_id, seq) SELECT user_id, total FROM counts
    ON CONFLICT (user_id) DO UPDATE SET seq = s.seq + excluded.seq
    RETURNING s.user_id, s.seq
  )
  INSERT INTO task_events (user_id, seq, task_id, op, version, task, changed, before)
    SELECT c.user_id, b.seq - k.total + c.n, c.task_id, c.op, c.version, c.task, c.changed, c.before
    FROM c JOIN counts AS k USING (user_id) JOIN bumped AS b USING (user_id);
  -- Delivered at commit, and only then; the payload is the owner and their newest seq.
  PERFORM pg_notify('task_events', json_build_object('user_id', s.user_id, 'seq', s.seq)::text)
    FROM user_sync AS s
    WHERE s.user_id IN (SELECT DISTINCT e->>'user_id' FROM jsonb_array_elements(changes) AS e);
END $$;
--> statement-breakpoint
CREATE FUNCTION task_events_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_task_events(jsonb_agg(jsonb_build_object(
    'user_id', n.user_id, 'task_id', n.id, 'op', 'create', 'version', n.version,
    'task', to_jsonb(n), 'changed', '[]'::jsonb, 'before', '{}'::jsonb)))
  FROM inserted AS n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_events_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_task_events(jsonb_agg(jsonb_build_object(
    'user_id', n.user_id, 'task_id', n.id,
    'op', CASE
      WHEN o.deleted_at IS NULL AND n.deleted_at IS NOT NULL THEN 'delete'
      WHEN o.deleted_at IS NOT NULL AND n.deleted_at IS NULL THEN 'restore'
      ELSE 'update' END,
    'version', n.version, 'task', to_jsonb(n), 'changed', d.changed, 'before', d.before)))
  FROM new_rows AS n
  JOIN old_rows AS o ON o.id = n.id
  -- The columns whose value moved, except the two that every write moves.
  CROSS JOIN LATERAL (
    SELECT coalesce(jsonb_agg(f.key), '[]'::jsonb), coalesce(jsonb_object_agg(f.key, f.value), '{}'::jsonb)
    FROM jsonb_each(to_jsonb(o)) AS f
    WHERE f.key NOT IN ('version', 'updated_at') AND f.value IS DISTINCT FROM to_jsonb(n) -> f.key
  ) AS d(changed, before);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_events_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM record_task_events(jsonb_agg(jsonb_build_object(
    'user_id', o.user_id, 'task_id', o.id, 'op', 'purge', 'version', o.version,
    'task', NULL, 'changed', '[]'::jsonb, 'before', '{}'::jsonb)))
  FROM deleted AS o;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER task_events_insert AFTER INSERT ON tasks
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION task_events_after_insert();
--> statement-breakpoint
CREATE TRIGGER task_events_update AFTER UPDATE ON tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_events_after_update();
--> statement-breakpoint
CREATE TRIGGER task_events_delete AFTER DELETE ON tasks
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION task_events_after_delete();
--> statement-breakpoint
-- task_counts counts live tasks only: a task in the trash is out of every list (decision 039).
CREATE OR REPLACE FUNCTION task_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_counts AS c (user_id, total, completed)
    SELECT user_id, count(*), count(*) FILTER (WHERE completed)
    FROM inserted WHERE deleted_at IS NULL GROUP BY user_id
  ON CONFLICT (user_id) DO UPDATE
    SET total = c.total + excluded.total, completed = c.completed + excluded.completed;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION task_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE task_counts AS c
    SET total = c.total - d.total, completed = c.completed - d.completed
    FROM (
      SELECT user_id, count(*) AS total, count(*) FILTER (WHERE completed) AS completed
      FROM deleted WHERE deleted_at IS NULL GROUP BY user_id
    ) AS d
    WHERE c.user_id = d.user_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION task_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Live rows after count in, live rows before count out: right for a change of `completed`, of
  -- `user_id`, and for a move to the trash and back.
  INSERT INTO task_counts AS c (user_id, total, completed)
    SELECT user_id, sum(total), sum(completed)
    FROM (
      SELECT user_id, 1 AS total, completed::int AS completed FROM new_rows WHERE deleted_at IS NULL
      UNION ALL
      SELECT user_id, -1, -(completed::int) FROM old_rows WHERE deleted_at IS NULL
    ) AS moves
    GROUP BY user_id
    HAVING sum(total) <> 0 OR sum(completed) <> 0
  ON CONFLICT (user_id) DO UPDATE
    SET total = c.total + excluded.total, completed = c.completed + excluded.completed;
  RETURN NULL;
END $$;
