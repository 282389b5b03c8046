-- Keeps task_counts in step with tasks. Statement-level triggers with transition tables: a bulk
-- write of thousands of tasks touches each owner's counter row once, and concurrent writes queue on
-- that row lock, so the arithmetic stays exact.
CREATE FUNCTION task_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task_counts AS c (user_id, total, completed)
    SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM inserted GROUP BY user_id
  ON CONFLICT (user_id) DO UPDATE
    SET total = c.total + excluded.total, completed = c.completed + excluded.completed;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE task_counts AS c
    SET total = c.total - d.total, completed = c.completed - d.completed
    FROM (
      SELECT user_id, count(*) AS total, count(*) FILTER (WHERE completed) AS completed
      FROM deleted GROUP BY user_id
    ) AS d
    WHERE c.user_id = d.user_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION task_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- New rows count in, old rows count out: right for a change of `completed` and of `user_id`.
  INSERT INTO task_counts AS c (user_id, total, completed)
    SELECT user_id, sum(total), sum(completed)
    FROM (
      SELECT user_id, 1 AS total, completed::int AS completed FROM new_rows
      UNION ALL
      SELECT user_id, -1, -(completed::int) FROM old_rows
    ) AS moves
    GROUP BY user_id
    HAVING sum(total) <> 0 OR sum(completed) <> 0
  ON CONFLICT (user_id) DO UPDATE
    SET total = c.total + excluded.total, completed = c.completed + excluded.completed;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION task_counts_after_insert();
--> statement-breakpoint
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION task_counts_after_delete();
--> statement-breakpoint
CREATE TRIGGER task_counts_update AFTER UPDATE ON tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_counts_after_update();
--> statement-breakpoint
-- Tasks written before this migration.
INSERT INTO task_counts (user_id, total, completed)
  SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM tasks GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE SET total = excluded.total, completed = excluded.completed;
