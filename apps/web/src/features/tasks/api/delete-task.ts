import type { ApiClient } from "@/lib/api-client";
import { taskPaths } from "@/lib/api-types";

/** Deletes one task; used after the undo window by `utils/pending-deletes`. */
export async function deleteTask(
  api: ApiClient,
  userId: string,
  id: number,
  options: { keepalive?: boolean } = {},
): Promise<void> {
  await api.request<void>(taskPaths.one(userId, id), { method: "DELETE", ...options });
}
