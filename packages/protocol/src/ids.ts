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
  constructor(kind: string, value: unknown) {
    super(`Invalid ${kind} ${JSON.stringify(value)}: must be a non-empty string without '/' or control characters`);
  }
}

// Mesos rejects IDs with '/' (they become path components in the sandbox) and control characters.
// eslint-disable-next-line no-control-regex
const VALID = /^[^/\u0000-\u001f\u007f]+$/;

function make<T extends string>(kind: string): (value: string) => T {
  return (value: string) => {
    if (typeof value !== 'string' || !VALID.test(value) || value === '.' || value === '..') throw new InvalidIdError(kind, value);
    return value as T;
  };
}

export const FrameworkId = make<FrameworkId>('framework ID');
export const AgentId = make<AgentId>('agent ID');
export const TaskId = make<TaskId>('task ID');
export const OfferId = make<OfferId>('offer ID');
export const ExecutorId = make<ExecutorId>('executor ID');
export const ContainerId = make<ContainerId>('container ID');
export const OperationId = make<OperationId>('operation ID');

/** Whether `value` may be used as an ID of any kind. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && VALID.test(value) && value !== '.' && value !== '..';
}

export interface WireId {
  readonly value: string;
}

export function toWireId(id: string): WireId {
  return { value: id };
}

export function fromWireId<T extends string>(wire: WireId, make: (value: string) => T): T {
  return make(wire.value);
}
