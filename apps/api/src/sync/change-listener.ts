import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import { loggableError } from "../http/loggable-error";

/** The channel migration 0006's trigger notifies, with `{"user_id":…,"seq":…}` (decision 035). */
const CHANNEL = "task_events";
const RECONNECT_MS = 1_000;

/**
 * A wake-up when another connection commits a change: the hub reads sooner than its next poll.
 * Only a wake-up: the poll catches whatever a lost or dropped notification would have announced.
 */
export interface ChangeListener {
  /** Starts listening; resolves with the function that stops it. */
  start(onChange: (userId: string) => void): Promise<() => Promise<void>>;
}

function userOf(payload: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(payload ?? "");
    const userId = (parsed as { user_id?: unknown } | null)?.user_id;
    return typeof userId === "string" ? userId : undefined;
  } catch {
    return undefined;
  }
}

/** PGlite delivers its own NOTIFYs to `listen` callbacks: the one process is also the one writer. */
function pgliteListener(client: PGlite): ChangeListener {
  return {
    async start(onChange) {
      const unlisten = await client.listen(CHANNEL, (payload) => {
        const userId = userOf(payload);
        if (userId) onChange(userId);
      });
      return () => unlisten();
    },
  };
}

/**
 * A pg.Client of its own (LISTEN needs a session, so never the pool, nor a transaction pooler:
 * the direct URL), reconnecting every second while it is wanted.
 */
function postgresListener(url: string, logger: Logger): ChangeListener {
  return {
    async start(onChange) {
      let stopped = false;
      let current: pg.Client | undefined;
      let retry: NodeJS.Timeout | undefined;

      const reconnectLater = (client: pg.Client) => {
        if (stopped || client !== current || retry) return;
        current = undefined;
        client.end().catch(() => {});
        retry = setTimeout(() => {
          retry = undefined;
          void connect();
        }, RECONNECT_MS);
        retry.unref();
      };

      const connect = async () => {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
        current = client;
        client.on("notification", (message) => {
          const userId = userOf(message.payload);
          if (userId) onChange(userId);
        });
        client.on("error", (error) => {
          logger.warn(
            { err: loggableError(error) },
            "change notifications lost; polling meanwhile",
          );
          reconnectLater(client);
        });
        client.on("end", () => reconnectLater(client));
        try {
          await client.connect();
          await client.query(`listen ${CHANNEL}`);
        } catch (error) {
          logger.warn(
            { err: loggableError(error) },
            "cannot listen for change notifications; polling meanwhile",
          );
          reconnectLater(client);
        }
      };

      await connect();
      return async () => {
        stopped = true;
        clearTimeout(retry);
        const client = current;
        current = undefined;
        await client?.end().catch(() => {});
      };
    },
  };
}

/** The database's listener, or none when SYNC_NOTIFY is off (the hub then only polls). */
export function changeListener(
  database: DatabaseHandle,
  options: { notify: boolean; logger: Logger },
): ChangeListener | undefined {
  if (!options.notify) return undefined;
  return database.kind === "pglite"
    ? pgliteListener(database.client)
    : postgresListener(database.directUrl, options.logger);
}
