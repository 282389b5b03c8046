import { spawn } from "node:child_process";
import { cp, mkdir, stat } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { DockerfileParser, type Instruction } from "dockerfile-ast";

/**
 * Replays a Dockerfile on this machine, without Docker (there is no daemon here): each stage gets
 * a directory standing for its filesystem, COPY copies into it, RUN runs its command there with
 * the stage's ENV, and the last stage's CMD, HEALTHCHECK, STOPSIGNAL… are returned so that a test
 * can start what `docker run` would start. It is the Dockerfile's own text that runs, so the image
 * test cannot drift from it; what the replay cannot do (the base image's contents, a user, file
 * owners) it states instead of guessing, and an instruction or flag it does not know is an error.
 */

export interface ReplayedImage {
  /** The last stage's filesystem on this machine: container path `/x` is `join(root, "x")`. */
  root: string;
  /** The last stage's WORKDIR, on this machine. */
  workdir: string;
  /** The last stage's ENV; a value that is an absolute container path points into `root`. */
  env: Record<string, string>;
  /** CMD (exec form). */
  cmd: string[];
  healthcheck: { cmd: string[]; flags: Record<string, string> };
  stopSignal: NodeJS.Signals;
  user: string;
  exposedPorts: string[];
  volumes: string[];
  /** Each stage's base image, by stage name. */
  bases: Record<string, string>;
  /** Each RUN that was not replayed (see ReplayOptions.notReplayed). */
  skipped: string[];
}

export interface ReplayOptions {
  dockerfile: string;
  /** The build context (see copyBuildContext). */
  context: string;
  /** An empty directory for the stages' filesystems. */
  workspace: string;
  /** What every RUN gets besides its stage's ENV: PATH, HOME, npm's cache settings. */
  runEnv: Record<string, string>;
  /**
   * RUN commands, verbatim, that set up the image's operating system (directories at absolute
   * paths, owners) and cannot be replayed on this machine. Each must be in the Dockerfile; every
   * other RUN is replayed.
   */
  notReplayed: string[];
  log?: (line: string) => void;
}

interface Stage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
  cmd?: string[];
  healthcheck?: { cmd: string[]; flags: Record<string, string> };
  stopSignal?: NodeJS.Signals;
  exposedPorts: string[];
  volumes: string[];
}

class UnsupportedInstruction extends Error {
  constructor(instruction: Instruction, why: string) {
    super(`Dockerfile line ${instruction.getRange().start.line + 1}: ${why} (${instruction})`);
    this.name = "UnsupportedInstruction";
  }
}

const onHost = (stage: Stage, containerPath: string) => join(stage.root, containerPath);

function flagsOf(instruction: Instruction): Map<string, string> {
  const flags =
    "getFlags" in instruction ? (instruction as { getFlags(): FlagLike[] }).getFlags() : [];
  return new Map(flags.map((flag) => [flag.getName(), flag.getValue() ?? ""]));
}

interface FlagLike {
  getName(): string;
  getValue(): string | null;
}

function onlyFlags(instruction: Instruction, allowed: string[]): Map<string, string> {
  const flags = flagsOf(instruction);
  for (const name of flags.keys()) {
    if (!allowed.includes(name)) throw new UnsupportedInstruction(instruction, `flag --${name}`);
  }
  return flags;
}

function plainArguments(instruction: Instruction): string[] {
  const values = instruction.getArguments().map((argument) => argument.getValue());
  for (const value of values) {
    if (/[$*?"'[\]]/.test(value)) {
      throw new UnsupportedInstruction(instruction, "variables, quotes and wildcards");
    }
  }
  return values;
}

function execForm(instruction: Instruction, text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A shell form would make /bin/sh the container's main process, which does not pass
    // SIGTERM on to node: `docker stop` would then always wait for the SIGKILL.
    throw new UnsupportedInstruction(instruction, "shell form; use the exec (JSON) form");
  }
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
    throw new UnsupportedInstruction(instruction, "exec form must be an array of strings");
  }
  return parsed;
}

function run(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`RUN ${command} exited ${code ?? signal} in ${cwd}:\n${output}`));
    });
  });
}

async function copy(
  instruction: Instruction,
  stage: Stage,
  stages: Map<string, Stage>,
  context: string,
) {
  const flags = onlyFlags(instruction, ["from", "chown"]);
  const args = plainArguments(instruction);
  const destination = args.pop();
  if (destination === undefined || args.length === 0) {
    throw new UnsupportedInstruction(instruction, "COPY needs sources and a destination");
  }
  const fromName = flags.get("from");
  const from = fromName === undefined ? undefined : stages.get(fromName);
  if (fromName !== undefined && !from) {
    throw new UnsupportedInstruction(instruction, `--from=${fromName} is not an earlier stage`);
  }
  const target = onHost(stage, posix.resolve(stage.workdir, destination));
  const intoDirectory = destination.endsWith("/") || args.length > 1;
  for (const source of args) {
    const normalized = posix.normalize(source);
    if (from === undefined && (posix.isAbsolute(normalized) || normalized.startsWith(".."))) {
      throw new UnsupportedInstruction(instruction, "a source outside the build context");
    }
    const sourcePath = from
      ? onHost(from, posix.resolve(from.workdir, source))
      : join(context, source);
    if ((await stat(sourcePath)).isDirectory()) {
      // Docker copies a directory's contents, not the directory itself.
      await cp(sourcePath, target, { recursive: true });
    } else {
      const file = intoDirectory ? join(target, posix.basename(normalized)) : target;
      await mkdir(dirname(file), { recursive: true });
      await cp(sourcePath, file);
    }
  }
}

export async function replayDockerfile(options: ReplayOptions): Promise<ReplayedImage> {
  const log = options.log ?? (() => {});
  const stages = new Map<string, Stage>();
  const bases: Record<string, string> = {};
  const skipped: string[] = [];
  let stage: Stage | undefined;

  for (const instruction of DockerfileParser.parse(options.dockerfile).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "FROM") {
      onlyFlags(instruction, []);
      const from = instruction as Instruction & {
        getImage(): string | null;
        getBuildStage(): string | null;
      };
      const image = from.getImage() ?? "";
      if (stages.has(image)) throw new UnsupportedInstruction(instruction, "FROM an earlier stage");
      const name = from.getBuildStage() ?? String(stages.size);
      stage = {
        name,
        root: join(options.workspace, `stage-${name}`),
        workdir: "/",
        env: {},
        user: "root",
        exposedPorts: [],
        volumes: [],
      };
      await mkdir(stage.root, { recursive: true });
      stages.set(name, stage);
      bases[name] = image;
      log(`FROM ${image} AS ${name}`);
      continue;
    }
    if (!stage) throw new UnsupportedInstruction(instruction, "an instruction before FROM");
    switch (keyword) {
      case "WORKDIR": {
        const [path] = plainArguments(instruction);
        stage.workdir = posix.resolve(stage.workdir, path ?? "");
        await mkdir(onHost(stage, stage.workdir), { recursive: true });
        break;
      }
      case "ENV": {
        for (const property of (
          instruction as Instruction & {
            getProperties(): { getName(): string; getValue(): string | null }[];
          }
        ).getProperties()) {
          const value = property.getValue() ?? "";
          if (/[$"']/.test(value)) {
            throw new UnsupportedInstruction(instruction, "variables and quotes in ENV");
          }
          stage.env[property.getName()] = value;
        }
        break;
      }
      case "COPY":
        await copy(instruction, stage, stages, options.context);
        break;
      case "RUN": {
        const flags = onlyFlags(instruction, ["mount"]);
        const mount = flags.get("mount");
        // A cache mount keeps npm's downloads between builds and changes nothing in the image.
        if (mount !== undefined && !mount.startsWith("type=cache,")) {
          throw new UnsupportedInstruction(instruction, `--mount=${mount}`);
        }
        const command = instruction.getArgumentsContent() ?? "";
        if (command.trimStart().startsWith("[")) {
          throw new UnsupportedInstruction(instruction, "exec-form RUN");
        }
        if (options.notReplayed.includes(command)) {
          skipped.push(command);
          log(`RUN ${command}: not replayed`);
          break;
        }
        const started = Date.now();
        await run(command, onHost(stage, stage.workdir), {
          ...options.runEnv,
          ...mappedEnv(stage),
        });
        log(`RUN ${command}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
        break;
      }
      case "USER":
        stage.user = plainArguments(instruction).join(" ");
        break;
      case "EXPOSE":
        stage.exposedPorts.push(...plainArguments(instruction));
        break;
      case "VOLUME": {
        const content = instruction.getArgumentsContent() ?? "";
        stage.volumes.push(
          ...(content.startsWith("[") ? execForm(instruction, content) : content.split(/\s+/)),
        );
        break;
      }
      case "STOPSIGNAL":
        stage.stopSignal = plainArguments(instruction)[0] as NodeJS.Signals;
        break;
      case "HEALTHCHECK": {
        const flags = Object.fromEntries(
          onlyFlags(instruction, ["interval", "timeout", "start-period", "retries"]),
        );
        const content = instruction.getArgumentsContent() ?? "";
        if (!content.startsWith("CMD ")) {
          throw new UnsupportedInstruction(instruction, "HEALTHCHECK without CMD");
        }
        stage.healthcheck = { cmd: execForm(instruction, content.slice(4)), flags };
        break;
      }
      case "CMD":
        stage.cmd = execForm(instruction, instruction.getArgumentsContent() ?? "");
        break;
      default:
        throw new UnsupportedInstruction(instruction, `${keyword} is not replayed`);
    }
  }

  for (const command of options.notReplayed) {
    if (!skipped.includes(command)) throw new Error(`no RUN ${command} in the Dockerfile`);
  }
  if (!stage?.cmd || !stage.healthcheck || !stage.stopSignal) {
    throw new Error("the last stage needs CMD, HEALTHCHECK and STOPSIGNAL");
  }
  return {
    root: stage.root,
    workdir: onHost(stage, stage.workdir),
    env: mappedEnv(stage),
    cmd: stage.cmd,
    healthcheck: stage.healthcheck,
    stopSignal: stage.stopSignal,
    user: stage.user,
    exposedPorts: stage.exposedPorts,
    volumes: stage.volumes,
    bases,
    skipped,
  };
}

function mappedEnv(stage: Stage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stage.env).map(([name, value]) => [
      name,
      posix.isAbsolute(value) ? onHost(stage, value) : value,
    ]),
  );
}
