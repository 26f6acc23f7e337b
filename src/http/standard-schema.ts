/**
 * The Standard Schema interface (https://standardschema.dev, version 1): what `RouteHandler`
 * asks of a `body` or `query` schema. zod 4, valibot and arktype schemas implement it, so the
 * library validates with any of them without importing one. Declared here as types only.
 */

/** A schema: anything with a `~standard` property of this shape. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
  /** Present in the types only: what the schema takes and gives. */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

export type StandardSchemaResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The type a schema gives when validation succeeds (zod: `z.output<S>`). */
export type InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** True for a value that implements the interface (checked once, when a route table is compiled). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard'];
  return typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function';
}

/** One schema issue as a problem's `errors` entry: `{ path: 'a.b.0', message }`. */
export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

/** The issues of a failed validation as `errors` entries (the path joined with dots). */
export function issuesToErrors(issues: ReadonlyArray<StandardSchemaIssue>): ProblemFieldError[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.'),
    message: String(issue.message),
  }));
}
