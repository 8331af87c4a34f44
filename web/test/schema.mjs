// A small JSON Schema 2020-12 validator for the keywords schemas/player-protocol uses: those of
// Tests/AscentCoreTests/SchemaValidator.swift (type, const, enum, properties, required,
// additionalProperties, minimum, maximum, minLength, maxLength, pattern) plus items and maxItems,
// which only welcome's arrays need. An unknown keyword is an error, so a schema cannot silently
// use something this (or the Swift validator, extended by those two) does not check.

import { readFileSync, readdirSync } from "node:fs";

const KNOWN = new Set(["$schema", "$id", "title", "description", "type", "const", "enum", "properties", "required",
  "additionalProperties", "items", "maxItems", "minimum", "maximum", "minLength", "maxLength", "pattern"]);

/** Every player-protocol schema, by title. */
export function loadSchemas() {
  const dir = new URL("../../schemas/player-protocol/", import.meta.url);
  const schemas = new Map();
  for (const name of readdirSync(dir)) {
    const schema = JSON.parse(readFileSync(new URL(name, dir), "utf8"));
    schemas.set(schema.title, schema);
  }
  return schemas;
}

function typeOf(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The problems of `value` under `schema` (empty when valid), each with its JSON path. */
export function validate(schema, value, path = "$") {
  const problems = [];
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) problems.push(`${path}: schema uses unsupported keyword ${key}`);
  if (schema.type) {
    const t = typeOf(value);
    if (!(t === schema.type || (schema.type === "number" && t === "integer"))) { problems.push(`${path}: ${t}, expected ${schema.type}`); return problems; }
  }
  if ("const" in schema && value !== schema.const) problems.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} is not one of the enum`);
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${path}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && length > schema.maxLength) problems.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern, "u").test(value)) problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => problems.push(...validate(schema.items, item, `${path}[${i}]`)));
  }
  if (typeOf(value) === "object") {
    for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${path}: missing ${key}`);
    for (const [key, v] of Object.entries(value)) {
      if (schema.properties && key in schema.properties) problems.push(...validate(schema.properties[key], v, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unexpected member ${key}`);
    }
  }
  return problems;
}

/** The schema title a message is checked against: its type, or "tick" for the compact frame. */
export function schemaName(message) {
  return message && message.t === "k" ? "tick" : message && message.type;
}
