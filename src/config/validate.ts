/**
 * Turns zod's validation issues into messages in the user's words: the key, what was expected and
 * what was received.
 */
import type { ZodIssue, ZodTypeAny } from 'zod';
import { z } from 'zod';
import { MactileError, describeValue } from '../util/errors.js';

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function keysOf(schema: ZodTypeAny, path: (string | number)[]): string[] {
  let s: ZodTypeAny = schema;
  for (const p of path) {
    while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s._def.innerType;
    if (s instanceof z.ZodObject) s = s.shape[p as string];
    else return [];
    if (!s) return [];
  }
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s._def.innerType;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** Describes one zod issue as "key 'x': expected ..., received ...". */
function describeIssue(issue: ZodIssue, raw: unknown, schema: ZodTypeAny): string {
  const key = issue.path.join('.');
  const got = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysOf(schema, issue.path);
      const where = key ? ` in '${key}'` : '';
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${where}: expected one of ${allowed.join(', ')}`;
    }
    case 'invalid_enum_value':
      return `key '${key}': expected one of ${issue.options.join(' | ')}, received ${describeValue(got)}`;
    case 'invalid_literal':
      return `key '${key}': expected ${describeValue(issue.expected)}, received ${describeValue(got)}`;
    case 'invalid_union_discriminator':
      return `key '${key}': expected one of ${issue.options.map(String).join(' | ')}, received ${describeValue(got)}`;
    case 'invalid_type': {
      const expected =
        issue.message.startsWith('Expected ') || issue.message === 'Required' ? issue.expected : issue.message;
      if (got === undefined) return `missing key '${key}': expected ${expected}`;
      return `key '${key}': expected ${expected}, received ${describeValue(got)}`;
    }
    case 'too_small':
    case 'too_big':
      // Range checks carry their full expectation ("an integer from 1 to 256") as their message.
      return `key '${key}': expected ${issue.message}, received ${describeValue(got)}`;
    case 'invalid_union':
      return `key '${key}': expected ${key.endsWith('bandwidth') ? '"calc" or a positive number of words per cycle' : 'a valid value'}, received ${describeValue(got)}`;
    case 'not_multiple_of':
      return `key '${key}': expected a multiple of ${issue.multipleOf}, received ${describeValue(got)}`;
    default:
      return `key '${key}': ${issue.message}, received ${describeValue(got)}`;
  }
}

/** Validates raw data against a schema, throwing one MactileError naming the source and the first bad key. */
export function validateWith<S extends ZodTypeAny>(schema: S, raw: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new MactileError(`${source}: ${describeIssue(issue, raw, schema)}`);
}
