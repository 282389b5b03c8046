import type { components } from "@/lib/api-schema";

// Read from api-schema.d.ts, generated from the API's /openapi.json (`npm run api:types`).

/** A task in the trash, as `GET /api/{user_id}/trash` answers it: a task plus `deleted_at`. */
export type TrashedTask = components["schemas"]["TrashedTask"];

export interface TrashPage {
  tasks: TrashedTask[];
  nextCursor: string | null;
}

/** `DELETE /api/{user_id}/trash` */
export type EmptyTrashResult = components["schemas"]["PurgedCount"];

export const trashPaths = {
  list: (userId: string) => `/api/${encodeURIComponent(userId)}/trash`,
  one: (userId: string, id: number) => `/api/${encodeURIComponent(userId)}/trash/${id}`,
} as const;
