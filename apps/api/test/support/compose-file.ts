import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { repoRoot } from "./docker-context";

/**
 * docker-compose.yml as Compose reads it, for the parts our tests rely on: YAML with merge keys
 * (`<<: *app`), then `${VAR}`, `${VAR:-default}` and `${VAR:?error}` replaced in every value.
 * The schema lists the keys we rely on; a file without them fails to load, saying which.
 */

const dependsOn = z.record(z.string(), z.object({ condition: z.string() }));

const service = z.object({
  image: z.string().optional(),
  build: z.string().optional(),
  profiles: z.array(z.string()).optional(),
  init: z.boolean().optional(),
  env_file: z.string().optional(),
  environment: z.record(z.string(), z.string()).optional(),
  depends_on: dependsOn.optional(),
  ports: z.array(z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  deploy: z.object({ replicas: z.number().int() }).optional(),
  healthcheck: z
    .object({
      test: z.array(z.string()).min(2),
      interval: z.string(),
      timeout: z.string(),
      retries: z.number().int(),
    })
    .optional(),
});

const composeSchema = z.object({
  name: z.string(),
  services: z.record(z.string(), service),
  volumes: z.record(z.string(), z.null().or(z.object({}))).optional(),
});

export type ComposeFile = z.infer<typeof composeSchema>;
export type ComposeService = z.infer<typeof service>;

const VARIABLE =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Compose's interpolation, for the forms docker-compose.yml uses. */
export function interpolate(text: string, variables: Record<string, string | undefined>): string {
  return text.replace(
    VARIABLE,
    (match, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (match === "$$") return "$";
      const name = braced ?? bare ?? "";
      const value = variables[name];
      const missing = operator?.startsWith(":") ? !value : value === undefined;
      if (!missing || !operator) return value ?? "";
      if (operator.endsWith("-")) return argument ?? "";
      throw new Error(`required variable ${name} is missing a value: ${argument}`);
    },
  );
}

function interpolateAll(value: unknown, variables: Record<string, string | undefined>): unknown {
  if (typeof value === "string") return interpolate(value, variables);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, variables));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateAll(item, variables)]),
    );
  }
  return value;
}

export async function loadCompose(
  variables: Record<string, string | undefined>,
  root = repoRoot,
): Promise<ComposeFile> {
  const text = await readFile(join(root, "docker-compose.yml"), "utf8");
  return composeSchema.parse(interpolateAll(parse(text, { merge: true }), variables));
}

export function composeService(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}
