import { PRIORITIES } from "@/lib/api-types";

/** The priority choices, capitalised, for a `<select>`. */
export function PriorityOptions() {
  return PRIORITIES.map((priority) => (
    <option key={priority} value={priority}>
      {priority[0]?.toUpperCase()}
      {priority.slice(1)}
    </option>
  ));
}
