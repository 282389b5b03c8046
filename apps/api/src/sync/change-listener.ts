import pg from "pg";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import { loggableError } from "../http/loggable-error";

/**
 * The channel of change notifications: `{"user_id":…,"origin":…}`, sent by the server that made the
 * change after it committed (change-signal.ts, decision 047; before migration 0008, by the
 * change log's trigger, with `seq` instead of `origin`).
 */
export const CHANGE_CHANNEL = "task_events";
const RECONNECT_MS = 1_000;

/**
 * A wake-up when a change has committed: the hub reads sooner than its next poll. Only a wake-up:
 * the poll catches whatever a lost or dropped notification would have announced.
 */
export interface ChangeListener {
  /** Starts listening; resolves with the function that stops it. */
  start(onChange: (userId: string) => void): Promise<() => Promise<void>>;
}

/** The user of a notification, unless this process sent it (its hub already knows). */
function userOf(payload: string | undefined, ownOrigin: string): string | undefined {
  try {
    const parsed = JSON.parse(payload ?? "") as { user_id?: unknown; origin?: unknown } | null;
    if (parsed?.origin === ownOrigin) return undefined;
    return typeof parsed?.user_id === "string" ? parsed.user_id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A pg.Client of its own (LISTEN needs a session, so never the pool, nor a transaction pooler:
 * the direct URL), reconnecting every second while it is wanted.
 */
function postgresListener(url: string, ownOrigin: string, logger: Logger): ChangeListener {
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
          const userId = userOf(message.payload, ownOrigin);
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
          await client.query(`listen ${CHANGE_CHANNEL}`);
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

/**
 * The listener for other processes' changes, on Postgres with SYNC_NOTIFY on; none otherwise (the
 * hub then only polls, and PGlite has one process). `ownOrigin`: this process's ChangeSignal.
 */
export function changeListener(
  database: DatabaseHandle,
  options: { notify: boolean; ownOrigin: string; logger: Logger },
): ChangeListener | undefined {
  if (!options.notify || database.kind !== "postgres") return undefined;
  return postgresListener(database.directUrl, options.ownOrigin, options.logger);
}
