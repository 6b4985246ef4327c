import { err, ok, type Result } from './result.js';

/**
 * Branded IDs: a `TaskId` is a string the type checker will not confuse with an `AgentId`.
 * On the wire Mesos wraps every ID as `{"value": "..."}`; `toWireId` / `fromWireId` convert.
 */
declare const brand: unique symbol;
type Branded<B extends string> = string & { readonly [brand]: B };

export type FrameworkId = Branded<'FrameworkId'>;
export type AgentId = Branded<'AgentId'>;
export type TaskId = Branded<'TaskId'>;
export type OfferId = Branded<'OfferId'>;
export type ExecutorId = Branded<'ExecutorId'>;
export type ContainerId = Branded<'ContainerId'>;
export type OperationId = Branded<'OperationId'>;

export class InvalidIdError extends Error {
  readonly _tag = 'InvalidId';
}

/** The longest ID Mesos accepts (`NAME_MAX`: IDs become sandbox directory names). */
export const MAX_ID_LENGTH = 255;

// Mesos's validateID (src/common/validation.cpp): no control characters, no path separators.
// eslint-disable-next-line no-control-regex
const INVALID_CHARACTER = /[\u0000-\u001f\u007f/\\]/;

/** Why `value` cannot be an ID, or undefined when it can. */
export function idError(value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected a string, got ${typeof value}`;
  if (value === '') return 'an ID cannot be empty';
  if (value.length > MAX_ID_LENGTH) return `an ID cannot be longer than ${MAX_ID_LENGTH} characters`;
  if (value === '.' || value === '..') return `'${value}' is not allowed as an ID`;
  if (INVALID_CHARACTER.test(value)) return `${JSON.stringify(value)} contains a control character, '/' or '\\'`;
  return undefined;
}

/** Whether `value` may be used as an ID of any kind. */
export function isValidId(value: unknown): value is string {
  return idError(value) === undefined;
}

/** One kind of ID: call it to brand a string (throws `InvalidIdError`), or use `is` / `parse`. */
export interface IdKind<T extends string> {
  (value: string): T;
  /** What the ID names, for messages: `framework ID`. */
  readonly kind: string;
  is(value: unknown): value is T;
  parse(value: unknown): Result<T>;
}

function idKind<T extends string>(kind: string): IdKind<T> {
  const make = (value: string): T => {
    const why = idError(value);
    if (why !== undefined) throw new InvalidIdError(`Invalid ${kind} ${JSON.stringify(value)}: ${why}`);
    return value as T;
  };
  return Object.assign(make, {
    kind,
    is: (value: unknown): value is T => idError(value) === undefined,
    parse: (value: unknown): Result<T> => {
      const why = idError(value);
      return why === undefined ? ok(value as T) : err(`Invalid ${kind} ${JSON.stringify(value)}: ${why}`);
    },
  });
}

export const FrameworkId: IdKind<FrameworkId> = idKind('framework ID');
export const AgentId: IdKind<AgentId> = idKind('agent ID');
export const TaskId: IdKind<TaskId> = idKind('task ID');
export const OfferId: IdKind<OfferId> = idKind('offer ID');
export const ExecutorId: IdKind<ExecutorId> = idKind('executor ID');
export const ContainerId: IdKind<ContainerId> = idKind('container ID');
export const OperationId: IdKind<OperationId> = idKind('operation ID');

/** Mesos's wire form of every ID. */
export interface WireId {
  readonly value: string;
}

export function toWireId(id: string): WireId {
  return { value: id };
}

/** The branded ID inside a wire ID; throws `InvalidIdError` when the value is not a valid ID. */
export function fromWireId<T extends string>(wire: WireId, kind: (value: string) => T): T {
  return kind(wire.value);
}
