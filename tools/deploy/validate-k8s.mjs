// Validates rendered Kubernetes manifests offline, in three passes over every object:
//  1. the OpenAPI schema of the Kubernetes API (kubernetes-models: JSON-schema validators
//     generated from the API's OpenAPI document): types, enums, formats, required fields;
//  2. the API's field names (kubernetes-types, the API's types as TypeScript declarations,
//     checked by the TypeScript compiler): an unknown or misspelled field fails, which the
//     OpenAPI schema alone lets through;
//  3. Pod Security Admission: every pod template in a namespace labelled
//     pod-security.kubernetes.io/enforce=restricted meets the "restricted" profile, as the API
//     server would check it at admission (so a violation fails here, not at deploy time).
// cert-manager's kinds (cert-manager.io/v1) are checked the same way against its published
// schemas (@kubernetes-models/cert-manager). Any other kind that is not a built-in Kubernetes kind
// fails: nothing here can vouch for it.
//
// Usage: node validate-k8s.mjs <tools dir with node_modules> <rendered.yaml>...
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const [toolsArg, ...files] = process.argv.slice(2);
const toolsDir = toolsArg ? resolve(toolsArg) : "";
if (!toolsDir || files.length === 0) {
  console.error("usage: node validate-k8s.mjs <tools dir> <rendered.yaml>...");
  process.exit(2);
}
const require = createRequire(join(toolsDir, "package.json"));
const YAML = require("yaml");
const ts = require("typescript");

// Custom resources vouched for by a published schema: apiVersion -> [models module, types module].
const customResources = {
  "cert-manager.io/v1": "@kubernetes-models/cert-manager/cert-manager.io/v1",
};
const customModels = {};
for (const [apiVersion, module] of Object.entries(customResources)) {
  customModels[apiVersion] = await import(pathToFileURL(join(toolsDir, "node_modules", module, "index.js")).href);
}

// apiVersion -> [kubernetes-models module folder, kubernetes-types module]
function modulesFor(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const typesGroup = group === "" ? "core" : group.replace(/\.k8s\.io$/, "");
  return [group === "" ? version : `${group}/${version}`, `kubernetes-types/${typesGroup}/${version}`];
}

function loadObjects(file) {
  const objects = [];
  for (const doc of YAML.parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) throw new Error(`${file}: YAML error: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

const describe = (o) => `${o.kind ?? "?"}/${o.metadata?.name ?? "?"}`;
const failures = [];
const typed = []; // { label, object, typesModule, kind }

for (const file of files) {
  const source = basename(file);
  let objects;
  try {
    objects = loadObjects(file);
  } catch (error) {
    failures.push(error.message);
    continue;
  }
  if (objects.length === 0) failures.push(`${source}: no objects`);
  for (const object of objects) {
    const label = `${source}: ${describe(object)}`;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      failures.push(`${label}: apiVersion and kind are required`);
      continue;
    }
    const custom = customModels[object.apiVersion];
    const [modelsPath, builtInTypes] = modulesFor(object.apiVersion);
    // Built-in kinds are typed as kubernetes-types' <Kind>; custom resources as the models' I<Kind>.
    const typesModule = custom ? customResources[object.apiVersion] : builtInTypes;
    const typeName = custom ? `I${object.kind}` : object.kind;
    let Model;
    try {
      Model = custom ? custom[object.kind] : require(`kubernetes-models/${modelsPath}/${object.kind}`)[object.kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      failures.push(`${label}: ${object.apiVersion} ${object.kind} is not a built-in Kubernetes kind known to the schema`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      failures.push(`${label}: schema: ${error.message}`);
    }
    typed.push({ label, object, typesModule, typeName, kind: object.kind });
  }
}

// Pass 3: the "restricted" Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards).
const restrictedNamespaces = new Set(
  typed
    .filter((e) => e.kind === "Namespace" && e.object.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "restricted")
    .map((e) => e.object.metadata.name),
);
const allowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
function podSpecOf(object) {
  switch (object.kind) {
    case "Pod":
      return object.spec;
    case "CronJob":
      return object.spec?.jobTemplate?.spec?.template?.spec;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return object.spec?.template?.spec;
    default:
      return undefined;
  }
}
function restrictedViolations(pod) {
  const problems = [];
  const podContext = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push("uses the host's network, PID or IPC namespace");
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== "name");
    if (!allowedVolumes.includes(type)) problems.push(`volume ${volume.name} is of type ${type}`);
  }
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
  for (const container of containers) {
    const context = container.securityContext ?? {};
    const where = `container ${container.name}`;
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if ((context.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${where}: runs as user 0`);
    const seccomp = (context.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${where}: seccompProfile is not RuntimeDefault or Localhost`);
    if (context.privileged === true) problems.push(`${where}: privileged`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(context.capabilities?.drop ?? []).includes("ALL")) problems.push(`${where}: does not drop ALL capabilities`);
    const added = (context.capabilities?.add ?? []).filter((c) => c !== "NET_BIND_SERVICE");
    if (added.length > 0) problems.push(`${where}: adds capabilities ${added.join(", ")}`);
    if ((container.ports ?? []).some((p) => p.hostPort)) problems.push(`${where}: uses a hostPort`);
  }
  return problems;
}
for (const entry of typed) {
  const pod = podSpecOf(entry.object);
  if (pod && restrictedNamespaces.has(entry.object.metadata?.namespace)) {
    for (const problem of restrictedViolations(pod)) failures.push(`${entry.label}: pod security "restricted": ${problem}`);
  }
}

// Pass 2: every object becomes a typed constant; the compiler reports fields the type lacks.
const work = mkdtempSync(join(toolsDir, "typecheck-"));
try {
  const lines = [];
  const owners = []; // line index -> typed entry
  typed.forEach((entry, i) => {
    const body = `const object${i}: import(${JSON.stringify(entry.typesModule)}).${entry.typeName} = ${JSON.stringify(entry.object, null, 2)};`;
    for (const line of body.split("\n")) {
      lines.push(line);
      owners.push(entry);
    }
  });
  lines.push("export {};");
  const file = join(work, "manifests.ts");
  writeFileSync(file, lines.join("\n"));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    baseUrl: toolsDir,
  });
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
    if (!diagnostic.file || diagnostic.start === undefined) {
      failures.push(`type check: ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const owner = owners[line];
    failures.push(`${owner ? owner.label : "?"}: fields: ${message} (at: ${lines[line].trim()})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`  ✗ ${failure}`);
  console.error(`${failures.length} problem(s) in ${files.map((f) => basename(f)).join(", ")}`);
  process.exit(1);
}
console.log(`  ✓ ${typed.length} objects valid (OpenAPI schema and field names) in ${files.map((f) => basename(f)).join(", ")}`);
