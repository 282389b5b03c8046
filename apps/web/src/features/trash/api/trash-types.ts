import type { Task } from "@/lib/api-types";

/** A task in the trash, as `GET /api/{user_id}/trash` answers it. */
export interface TrashedTask extends Task {
  deleted_at: string;
}

export interface TrashPage {
  tasks: TrashedTask[];
  nextCursor: string | null;
}

/** `DELETE /api/{user_id}/trash` */
export interface EmptyTrashResult {
  purged: number;
}

export const trashPaths = {
  list: (userId: string) => `/api/${encodeURIComponent(userId)}/trash`,
  one: (userId: string, id: number) => `/api/${encodeURIComponent(userId)}/trash/${id}`,
} as const;
