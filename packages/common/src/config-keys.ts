import { z } from "zod";

/** One settable key of a config schema, as `--help` lists it and as the environment and flags address it. */
export interface ConfigKey {
  /** Dotted path, e.g. `abci.port`. */
  path: string;
  /** What `--help` shows between `<>`: `integer`, `number`, `string`, `url`, `boolean`, `info|debug`, `json`. */
  type: string;
  /**
   * JSON types the key accepts (`string`, `number`, `integer`, `boolean`, `array`, `object`, `null`); empty when
   * the schema does not say. A key that accepts only strings takes flag and environment values verbatim.
   */
  jsonTypes: string[];
  /** The field's `.describe()` text. */
  description: string | undefined;
  /** Whether the schema (or the section's default) supplies a value when none is given. */
  hasDefault: boolean;
  default: unknown;
  /** No default, and every section above it must be given too. */
  required: boolean;
  /** The environment variable that sets it, e.g. `NYM_VALIDATOR_ABCI__PORT`; undefined without a prefix. */
  env: string | undefined;
}

interface JsonNode {
  type?: string | string[];
  properties?: Record<string, JsonNode>;
  required?: string[];
  default?: unknown;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  anyOf?: JsonNode[];
  oneOf?: JsonNode[];
  $ref?: string;
  $defs?: Record<string, JsonNode>;
}

const cache = new WeakMap<z.ZodType, ConfigKey[]>();

/**
 * Every leaf key of a config schema (an object of sections, or of plain fields), walked from zod's JSON Schema export
 * of its input side: so defaults, optionality, enums and `.describe()` texts are the ones the schema validates with.
 * Objects are descended into; arrays, records and unions of objects are one key whose value is JSON. A schema zod
 * cannot export yields no keys.
 */
export function configKeys(schema: z.ZodType, envPrefix?: string): ConfigKey[] {
  let keys = cache.get(schema);
  if (keys === undefined) {
    keys = [];
    let root: JsonNode | undefined;
    try {
      root = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonNode;
    } catch {
      root = undefined;
    }
    if (root !== undefined) walk(root, root, [], { required: true, hasDefault: false, value: undefined }, keys);
    cache.set(schema, keys);
  }
  if (envPrefix === undefined) return keys;
  return keys.map((key) => ({ ...key, env: envName(envPrefix, key.path) }));
}

/** `NYM_VALIDATOR_` + `abci.listenHost` -> `NYM_VALIDATOR_ABCI__LISTEN_HOST` (the inverse of the loader's mapping). */
export function envName(prefix: string, path: string): string {
  return (
    prefix +
    path
      .split(".")
      .map((part) => part.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase())
      .join("__")
  );
}

interface Inherited {
  /** The parent and every ancestor must be given. */
  required: boolean;
  /** The parent's default object supplies this node. */
  hasDefault: boolean;
  value: unknown;
}

function walk(root: JsonNode, raw: JsonNode, path: string[], inherited: Inherited, out: ConfigKey[]): void {
  const node = resolve(root, raw);
  const ownDefault = "default" in node;
  const hasDefault = ownDefault || inherited.hasDefault;
  const value = ownDefault ? node.default : inherited.value;
  if (path.length === 0 && !isObjectNode(node)) return;
  if (isObjectNode(node) && (path.length === 0 || Object.keys(node.properties ?? {}).length > 0)) {
    const required = new Set(node.required ?? []);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const childValue = isPlain(value) ? value[name] : undefined;
      walk(
        root,
        child,
        [...path, name],
        {
          required: path.length === 0 ? required.has(name) : inherited.required && required.has(name) && !hasDefault,
          hasDefault: childValue !== undefined,
          value: childValue,
        },
        out,
      );
    }
    return;
  }
  const jsonTypes = typesOf(root, node);
  out.push({
    path: path.join("."),
    type: label(root, node),
    jsonTypes,
    description: node.description ?? raw.description,
    hasDefault,
    default: value,
    required: inherited.required && !hasDefault,
    env: undefined,
  });
}

function isObjectNode(node: JsonNode): boolean {
  return node.type === "object" && node.properties !== undefined;
}

function resolve(root: JsonNode, node: JsonNode): JsonNode {
  let current = node;
  for (let hops = 0; current.$ref !== undefined && hops < 16; hops++) {
    const name = current.$ref.replace(/^#\/\$defs\//, "");
    const target = root.$defs?.[name];
    if (target === undefined) break;
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

function typesOf(root: JsonNode, node: JsonNode): string[] {
  const resolved = resolve(root, node);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) return [...new Set(alternatives.flatMap((alt) => typesOf(root, alt)))];
  if (resolved.enum) return [...new Set(resolved.enum.map(jsonTypeOf))];
  if ("const" in resolved) return [jsonTypeOf(resolved.const)];
  if (resolved.type === undefined) return [];
  return Array.isArray(resolved.type) ? resolved.type : [resolved.type];
}

function label(root: JsonNode, node: JsonNode): string {
  const resolved = resolve(root, node);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) return [...new Set(alternatives.map((alt) => label(root, alt)))].join("|");
  if (resolved.enum) return resolved.enum.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("|");
  if ("const" in resolved) return typeof resolved.const === "string" ? resolved.const : JSON.stringify(resolved.const);
  const types = typesOf(root, resolved);
  if (types.length === 0) return "json";
  return types
    .map((type) => {
      if (type === "string" && resolved.format === "uri") return "url";
      if (type === "array" || type === "object") return "json";
      return type;
    })
    .join("|");
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "number" ? "number" : typeof value;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
