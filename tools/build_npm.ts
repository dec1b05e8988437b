/**
 * `deno task build:npm`: builds the npm package in `dist/npm/` with TypeScript's own compiler
 * (`tsc`): plain ES modules and `.d.ts` files for Node 20+ and Bun, the same entry points as
 * deno.json's `exports`, `xstate` and `@noble/hashes` as dependencies, and the `msnp` binary.
 *
 * tsc is pinned (below) and installed with npm into `dist/.tools/`, beside `@types/node` for
 * Node 20, so the package is type-checked against the oldest Node it supports. Relative `.ts`
 * imports become `.js` (`rewriteRelativeImportExtensions`); bare imports (`xstate`,
 * `@noble/hashes/legacy.js`) are kept and resolve from the package's dependencies.
 *
 * @module
 */

import { VERSION } from "./cli.ts";

const TYPESCRIPT = "typescript@5.9.3";
const NODE_TYPES = "@types/node@20";

const root = new URL("../", import.meta.url).pathname;
const out = `${root}dist/npm/`;
const toolsDir = `${root}dist/.tools/`;

interface DenoConfig {
  name: string;
  version: string;
  license: string;
  exports: Record<string, string>;
  imports: Record<string, string>;
}

const config: DenoConfig = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
if (config.version !== VERSION) {
  throw new Error(`tools/cli.ts VERSION ${VERSION} differs from deno.json's ${config.version}`);
}

/** Runs a command in `cwd`; throws with its name if it fails. */
async function run(cmd: string, args: string[], cwd = root): Promise<void> {
  const { code } = await new Deno.Command(cmd, { args, cwd, stdout: "inherit", stderr: "inherit" })
    .output();
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${code}`);
}

/** The npm version range of a deno.json `npm:` import (`npm:xstate@^5.24.0` -> `^5.24.0`). */
function npmRange(specifier: string): string {
  const m = /^npm:\/?(?:@[^/@]+\/)?[^/@]+@([^/]+)\/?$/.exec(specifier);
  if (!m) throw new Error(`not an npm: import: ${specifier}`);
  return m[1];
}

// 1. The dependencies in node_modules/, where tsc resolves them, and the compiler, once (later builds reuse dist/.tools/ while it holds the pinned version).
await run(Deno.execPath(), ["install", "--quiet"]);
const tsc = `${toolsDir}node_modules/typescript/bin/tsc`;
const installed = await Deno.readTextFile(`${toolsDir}node_modules/typescript/package.json`)
  .then((text) => `typescript@${JSON.parse(text).version}`, () => undefined);
if (installed !== TYPESCRIPT) {
  await Deno.mkdir(toolsDir, { recursive: true });
  await Deno.writeTextFile(`${toolsDir}package.json`, '{ "private": true }\n');
  await run("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--silent",
    "--prefix",
    toolsDir,
    TYPESCRIPT,
    NODE_TYPES,
  ]);
}

// 2. Compile every entry point and the CLI to dist/npm/.
await Deno.remove(out, { recursive: true }).catch(() => {});
const entries = Object.values(config.exports).map((p) => root + p.replace(/^\.\//, ""));
const tsconfig = {
  compilerOptions: {
    target: "es2022",
    lib: ["es2024", "dom", "dom.iterable"],
    module: "nodenext",
    moduleResolution: "nodenext",
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: true,
    declaration: true,
    strict: true,
    verbatimModuleSyntax: true,
    erasableSyntaxOnly: true,
    skipLibCheck: true,
    rootDir: root,
    outDir: out,
    types: ["node"],
    typeRoots: [`${toolsDir}node_modules/@types`],
  },
  files: [...entries, `${root}tools/cli_bin.ts`],
};
await Deno.writeTextFile(`${toolsDir}tsconfig.json`, JSON.stringify(tsconfig, null, 2));
await run("node", [tsc, "-p", `${toolsDir}tsconfig.json`]);
await Deno.chmod(`${out}tools/cli_bin.js`, 0o755);

// 3. package.json, README, LICENSE, CHANGELOG.
const exportsMap: Record<string, { types: string; default: string } | string> = {};
for (const [key, path] of Object.entries(config.exports)) {
  const js = path.replace(/\.ts$/, ".js");
  exportsMap[key] = { types: js.replace(/\.js$/, ".d.ts"), default: js };
}
exportsMap["./package.json"] = "./package.json";
const pkg = {
  name: config.name,
  version: config.version,
  description:
    "The client side of MSN Messenger MSNP8/MSNP9 with Passport 1.4: a sans-IO codec and session machines, with adapters for Node, Bun and Deno",
  license: config.license,
  type: "module",
  exports: exportsMap,
  bin: { msnp: "./tools/cli_bin.js" },
  engines: { node: ">=20" },
  dependencies: {
    "xstate": npmRange(config.imports["xstate"]),
    "@noble/hashes": npmRange(config.imports["@noble/hashes/"]),
  },
  keywords: ["msn", "msnp", "messenger", "passport", "sans-io", "xstate"],
};
await Deno.writeTextFile(`${out}package.json`, JSON.stringify(pkg, null, 2) + "\n");
for (const file of ["README.md", "LICENSE", "CHANGELOG.md"]) {
  await Deno.copyFile(`${root}${file}`, `${out}${file}`);
}
console.log(`built ${pkg.name}@${pkg.version} in dist/npm/`);
