// Generates src/api/schema.d.ts from the back end's OpenAPI document.
// Usage: npm run gen:api [-- path/to/openapi.yaml]   (default: ../var/openapi.yaml)
// Make the document with: .venv/bin/python manage.py spectacular --file var/openapi.yaml
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = resolve(process.cwd(), process.argv[2] ?? resolve(root, "../var/openapi.yaml"));
if (!existsSync(source)) {
  console.error(`No OpenAPI document at ${source}.`);
  console.error("Write one with: .venv/bin/python manage.py spectacular --file var/openapi.yaml");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [resolve(root, "node_modules/openapi-typescript/bin/cli.js"), source, "-o", resolve(root, "src/api/schema.d.ts")],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
