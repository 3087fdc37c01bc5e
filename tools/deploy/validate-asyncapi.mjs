// Validates docs/asyncapi.yaml (generated from the contracts by tests/Mesh.UnitTests) with the
// AsyncAPI parser, the protobuf payloads through its protobuf schema parser: the document must parse
// with no diagnostic of severity error. Warnings and hints are printed, not fatal.
//
// Usage: node validate-asyncapi.mjs <tools dir with node_modules> <asyncapi.yaml>
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const [toolsArg, file] = process.argv.slice(2);
if (!toolsArg || !file) {
  console.error("usage: node validate-asyncapi.mjs <tools dir> <asyncapi.yaml>");
  process.exit(2);
}
const require = createRequire(join(resolve(toolsArg), "package.json"));
const { Parser, DiagnosticSeverity } = require("@asyncapi/parser");
const { ProtoBuffSchemaParser } = require("@asyncapi/protobuf-schema-parser");

const parser = new Parser();
parser.registerSchemaParser(ProtoBuffSchemaParser());
const source = resolve(file);
const { document, diagnostics } = await parser.parse(readFileSync(source, "utf8"), { source });

const severity = { [DiagnosticSeverity.Error]: "error", [DiagnosticSeverity.Warning]: "warning" };
for (const d of diagnostics) {
  const where = d.path?.length ? d.path.join(".") : "(document)";
  console.log(`${severity[d.severity] ?? "info"}: ${where}: ${d.message} [${d.code}]`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (errors.length > 0 || document === undefined) {
  console.error(`${file}: ${errors.length} error(s)`);
  process.exit(1);
}
console.log(
  `${file}: AsyncAPI ${document.version()}, ${document.channels().length} channels, ` +
    `${document.operations().length} operations, ${document.messages().length} messages, 0 errors`,
);
