// The Better Auth CLI (`auth generate`) calls Object.groupBy / Map.groupBy, which Node 20 lacks.
// Loaded only for that CLI, via NODE_OPTIONS=--import (see docs/decisions/004-better-auth-schema.md).
if (typeof Object.groupBy !== "function") {
  Object.groupBy = (items, keyOf) => {
    const groups = Object.create(null);
    let index = 0;
    for (const item of items) {
      const key = keyOf(item, index++);
      groups[key] ??= [];
      groups[key].push(item);
    }
    return groups;
  };
}
if (typeof Map.groupBy !== "function") {
  Map.groupBy = (items, keyOf) => {
    const groups = new Map();
    let index = 0;
    for (const item of items) {
      const key = keyOf(item, index++);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(item);
    }
    return groups;
  };
}
