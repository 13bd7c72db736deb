/**
 * The post form's model of a task type's spec, built from the type's zod schema (through z.toJSONSchema), so
 * a new task type gets a form with no UI code. Values are kept as strings by dotted path ("rate.crf");
 * `buildSpec` turns them back into the object the schema validates. Pure.
 */
import { z } from "zod";

export type Scalar = string | number | boolean;
export type FieldNode =
  | { kind: "const"; value: Scalar }
  | { kind: "enum"; options: Scalar[] }
  | { kind: "integer" | "number"; min?: number; max?: number; default?: number }
  | { kind: "boolean"; default?: boolean }
  | { kind: "string"; default?: string }
  | { kind: "object"; fields: { name: string; node: FieldNode; required: boolean }[] }
  | { kind: "union"; discriminator: string; variants: { value: Scalar; node: Extract<FieldNode, { kind: "object" }> }[] };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the subset of JSON Schema that zod emits for our spec schemas. */
export function nodeFromJsonSchema(schema: unknown): FieldNode {
  if (!isObj(schema)) throw new Error("spec schema: not an object");
  if ("const" in schema) return { kind: "const", value: schema.const as Scalar };
  if (Array.isArray(schema.enum)) return { kind: "enum", options: schema.enum as Scalar[] };
  const alternatives = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) {
    if (alternatives.every((a) => isObj(a) && "const" in a)) {
      return { kind: "enum", options: alternatives.map((a) => (a as Json).const as Scalar) };
    }
    const variants = alternatives.map(nodeFromJsonSchema);
    if (variants.every((v) => v.kind === "object")) {
      const objects = variants as Extract<FieldNode, { kind: "object" }>[];
      const first = objects[0];
      const discriminator = first?.fields.find(
        (f) => f.node.kind === "const" && objects.every((o) => o.fields.some((g) => g.name === f.name && g.node.kind === "const")),
      )?.name;
      if (discriminator) {
        return {
          kind: "union",
          discriminator,
          variants: objects.map((o) => ({ value: (o.fields.find((f) => f.name === discriminator)!.node as { value: Scalar }).value, node: o })),
        };
      }
    }
    throw new Error("spec schema: a union without a discriminator is not supported by the form");
  }
  const d = schema.default;
  switch (schema.type) {
    case "object": {
      const props = isObj(schema.properties) ? schema.properties : {};
      const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      return { kind: "object", fields: Object.entries(props).map(([name, s]) => ({ name, node: nodeFromJsonSchema(s), required: required.has(name) })) };
    }
    case "integer":
    case "number":
      return {
        kind: schema.type,
        ...(typeof schema.minimum === "number" ? { min: schema.minimum } : {}),
        ...(typeof schema.maximum === "number" ? { max: schema.maximum } : {}),
        ...(typeof d === "number" ? { default: d } : {}),
      };
    case "boolean":
      return { kind: "boolean", ...(typeof d === "boolean" ? { default: d } : {}) };
    case "string":
      return { kind: "string", ...(typeof d === "string" ? { default: d } : {}) };
    default:
      throw new Error(`spec schema: unsupported type ${JSON.stringify(schema.type)}`);
  }
}

export function formModel(schema: z.ZodType): FieldNode {
  return nodeFromJsonSchema(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }));
}

export type FormValues = Record<string, string>;
const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/** Form values from an example spec object (the form's starting point); missing fields get their defaults. */
export function valuesFrom(node: FieldNode, example: unknown, path = ""): FormValues {
  const out: FormValues = {};
  const ex = isObj(example) ? example : {};
  const walk = (n: FieldNode, p: string, v: unknown) => {
    switch (n.kind) {
      case "const":
        return;
      case "object":
        for (const f of n.fields) walk(f.node, join(p, f.name), isObj(v) ? v[f.name] : undefined);
        return;
      case "union": {
        const chosen = isObj(v) ? v[n.discriminator] : undefined;
        const variant = n.variants.find((x) => x.value === chosen) ?? n.variants[0]!;
        out[join(p, n.discriminator)] = String(variant.value);
        walk(variant.node, p, v);
        return;
      }
      case "enum":
        out[p] = String(v ?? n.options[0] ?? "");
        return;
      default:
        out[p] = v === undefined ? (n.default === undefined ? "" : String(n.default)) : String(v);
    }
  };
  walk(node, path, path ? (ex as Json)[path] : ex);
  return out;
}

/** The variant of a union currently chosen in the form. */
export function chosenVariant(n: Extract<FieldNode, { kind: "union" }>, values: FormValues, path: string) {
  const raw = values[join(path, n.discriminator)];
  return n.variants.find((v) => String(v.value) === raw) ?? n.variants[0]!;
}

/** The spec object the form describes (not yet validated: numbers that do not parse stay strings). */
export function buildSpec(node: FieldNode, values: FormValues, path = ""): unknown {
  switch (node.kind) {
    case "const":
      return node.value;
    case "object": {
      const obj: Json = {};
      for (const f of node.fields) {
        const v = buildSpec(f.node, values, join(path, f.name));
        if (v !== undefined) obj[f.name] = v;
      }
      return obj;
    }
    case "union":
      return buildSpec(chosenVariant(node, values, path).node, values, path);
    case "enum": {
      const raw = values[path];
      return node.options.find((o) => String(o) === raw) ?? raw;
    }
    case "integer":
    case "number": {
      const raw = (values[path] ?? "").trim();
      if (raw === "") return undefined; // the schema's default (or its "required" error) applies
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw;
    }
    case "boolean":
      return values[path] === "true";
    case "string": {
      const raw = values[path];
      return raw === "" || raw === undefined ? undefined : raw;
    }
  }
}

export type SpecCheck<T> = { ok: true; spec: T; errors: Record<string, never> } | { ok: false; errors: Record<string, string> };

/** Validates the form against the type's schema; errors are keyed by the form path ("" = the whole spec). */
export function checkSpec<T>(schema: z.ZodType<T>, node: FieldNode, values: FormValues): SpecCheck<T> {
  const result = schema.safeParse(buildSpec(node, values));
  if (result.success) return { ok: true, spec: result.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join(".");
    errors[key] ??= plainIssue(issue);
  }
  return { ok: false, errors };
}

function plainIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      return `must be at least ${String(issue.minimum)}`;
    case "too_big":
      return `must be at most ${String(issue.maximum)}`;
    case "invalid_type":
      return issue.expected === "int" || issue.expected === "number" ? "enter a whole number" : "required";
    case "invalid_value":
      return "choose one of the listed values";
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
    default:
      return issue.message;
  }
}

/** Canonical JSON (sorted keys, no spaces) of a validated spec: the bytes stored on chain. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObj(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** "topK" -> "Top k", "kbps" -> "Kbps". */
export const fieldLabel = (name: string) => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};
