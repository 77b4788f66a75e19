/**
 * Fast notebook runner used by `npm test` (no Jupyter needed): for each notebook, concatenates the code cells
 * in order into one ES module, type-checks all of them with tsc (strict), then runs each with tsx.
 * `langchain-dreamfactory` and `langchain-dreamfactory/testing` resolve to the sources through tsconfig paths,
 * so no build is needed. `.ci/run` additionally executes the notebooks under real Jupyter (tslab kernel).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export interface NotebookRun {
  notebook: string;
  ok: boolean;
  typeErrors: string[];
  exitCode: number | null;
  /** stdout per code cell, in order. */
  cellOutputs: string[];
  stderr: string;
  durationMs: number;
}

const MARK = "\u241e__CELL__";
const root = process.cwd();
const cacheDir = join(root, ".nbcache");

interface NotebookJson {
  cells: Array<{ cell_type: string; source: string | string[] }>;
}

function cellSource(cell: { source: string | string[] }): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** Extracts the code cells of one notebook into `.nbcache/<name>.mts`. */
export function extractNotebook(path: string): { file: string; cells: number } {
  const nb = JSON.parse(readFileSync(path, "utf8")) as NotebookJson;
  const cells = nb.cells.filter((c) => c.cell_type === "code");
  let code = "export {};\n";
  cells.forEach((c, i) => {
    code += `process.stdout.write(${JSON.stringify(`${MARK}${i}\n`)});\n// ---- cell ${i}\n${cellSource(c)}\n`;
  });
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, basename(path).replace(/\.ipynb$/, ".mts"));
  writeFileSync(file, code);
  return { file, cells: cells.length };
}

function writeTsconfig(files: string[]): string {
  const tsconfig = {
    extends: "../tsconfig.json",
    compilerOptions: {
      noEmit: true,
      rootDir: "..",
      noUncheckedIndexedAccess: false,
      paths: {
        "langchain-dreamfactory": ["../src/index.ts"],
        "langchain-dreamfactory/testing": ["../src/testing/index.ts"],
      },
    },
    include: files.map((f) => `./${basename(f)}`),
  };
  const path = join(cacheDir, "tsconfig.json");
  writeFileSync(path, JSON.stringify(tsconfig, null, 2));
  return path;
}

/** Type-checks the extracted notebooks in one tsc run; returns error lines per generated file name. */
export function typeCheck(files: string[]): Map<string, string[]> {
  const tsconfig = writeTsconfig(files);
  const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", tsconfig], {
    encoding: "utf8",
    cwd: root,
  });
  const errors = new Map<string, string[]>();
  for (const line of `${tsc.stdout}\n${tsc.stderr}`.split("\n")) {
    const m = /([^/\\]+\.mts)\(/.exec(line);
    if (!m?.[1]) continue;
    const list = errors.get(m[1]) ?? [];
    list.push(line.trim());
    errors.set(m[1], list);
  }
  return errors;
}

/** Runs one extracted notebook module with tsx; resolves with per-cell stdout. */
export function runExtracted(file: string, timeoutMs: number): Promise<{ exitCode: number | null; cellOutputs: string[]; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(root, "node_modules/tsx/dist/cli.mjs"), "--tsconfig", join(cacheDir, "tsconfig.json"), file], {
      cwd: root,
      env: { ...process.env, DEMO_MODEL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const parts = stdout.split(new RegExp(`${MARK}(\\d+)\\n`));
      const cellOutputs: string[] = [];
      for (let k = 1; k < parts.length; k += 2) cellOutputs[Number(parts[k])] = parts[k + 1] ?? "";
      resolvePromise({ exitCode: code, cellOutputs, stderr });
    });
  });
}
