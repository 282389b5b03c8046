import pg from "pg";

/** Anything that runs a parameterised statement: a `pg.Client` or a PGlite instance. */
export interface Sql {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** `work` on one connection to the Postgres database at `url`, closed after it. */
export async function withPostgres<T>(url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work({
      query: async <Row>(text: string, params?: unknown[]) =>
        (await client.query(text, params)) as unknown as { rows: Row[] },
    });
  } finally {
    await client.end();
  }
}

/** One word in five titles has it: searches match 20% of a user's tasks, whatever their number. */
export const SEARCH_TERM = "groceries";

/** One title in a thousand has it: 1 match at 1,000 tasks, 100 at 100,000. */
export const RARE_TERM = "passport";

/**
 * FEW_MATCHES titles have it, spread evenly over the list, whatever the user's number of tasks:
 * the same page at every size, which a growth comparison needs (RARE_TERM's page holds 1 task at
 * 1,000 and 50 at 100,000).
 */
export const FEW_TERM = "visa";
export const FEW_MATCHES = 20;

/**
 * Gives a user `count` tasks in one INSERT … SELECT generate_series: the statement-level trigger
 * of migration 0002 sees them all in its transition table and adds them to task_counts once, so
 * the counters stay exact. Newest task last in id order, one second apart in created_at; a third
 * completed, half with a due date, priorities and tags in turn, a quarter with a description;
 * the search terms above in one title in five, one in a thousand and FEW_MATCHES titles.
 */
export async function seedTasks(sql: Sql, userId: string, count: number): Promise<void> {
  // FEW_TERM's tasks: the middle one of each of FEW_MATCHES equal blocks.
  const step = `greatest($2::int / ${FEW_MATCHES}, 1)`;
  await sql.query(
    `insert into tasks (user_id, title, description, completed, completed_at, priority, tags,
                        due_date, created_at, updated_at)
     select $1,
            'Task ' || n || ' ' || (array['pick up ${SEARCH_TERM}', 'call the bank',
              'write the report', 'fix the bike', 'book the dentist'])[1 + n % 5]
              || case when n % 1000 = 7 then ' and renew the ${RARE_TERM}' else '' end
              || case when n % ${step} = ${step} / 2 and n <= ${step} * ${FEW_MATCHES}
                      then ' and show the ${FEW_TERM}' else '' end,
            case when n % 4 = 0 then 'Bring the receipt and the list' end,
            n % 3 = 0,
            case when n % 3 = 0 then now() - (($2::int - n) * interval '1 second') end,
            (array['low', 'medium', 'high']::task_priority[])[1 + n % 3],
            array['t' || (n % 7)],
            case when n % 2 = 0 then now() + (n * interval '1 minute') end,
            now() - (($2::int - n) * interval '1 second'),
            now() - (($2::int - n) * interval '1 second')
     from generate_series(1, $2::int) as n`,
    [userId, count],
  );
  const { rows } = await sql.query<{ total: number; actual: number; few: number }>(
    `select (select total from task_counts where user_id = $1) as total,
            (select count(*)::int from tasks where user_id = $1) as actual,
            (select count(*)::int from tasks where user_id = $1 and title like $2) as few`,
    [userId, `%${FEW_TERM}%`],
  );
  const [row] = rows;
  if (!row || row.total !== row.actual) {
    throw new Error(`task_counts is off for ${userId}: ${row?.total} counted, ${row?.actual} rows`);
  }
  if (row.few !== Math.min(count, FEW_MATCHES)) {
    const expected = Math.min(count, FEW_MATCHES);
    throw new Error(`${row.few} of ${userId}'s tasks hold "${FEW_TERM}", not ${expected}`);
  }
}
