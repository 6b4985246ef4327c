import type { Allocator } from '@ts-mesos/allocator';
import type { InternalMessage, InternalName, OperatorEvent, SchedulerEvent } from '@ts-mesos/protocol';
import type { RegistryChange } from './registry.js';

/** Inputs the core asks to be fed back later (the shell arms the timer). */
export type MasterTimer =
  | { readonly kind: 'offer-timeout'; readonly offerId: string }
  | { readonly kind: 'failover-timeout'; readonly frameworkId: string }
  | { readonly kind: 'agent-reregister-timeout' }
  | { readonly kind: 'registry-gc' };

export interface SendEffect<N extends InternalName = InternalName> {
  readonly kind: 'send';
  readonly to: string;
  readonly name: N;
  readonly body: InternalMessage<N>;
}

/**
 * What the master core asks its shell to do, in this order: persist, then send, then arm
 * timers (DESIGN.md section 3). The core never performs I/O itself.
 */
export type MasterEffect =
  | { readonly kind: 'persist'; readonly change: RegistryChange }
  | SendEffect
  /** To the framework's current stream, or to the stream named (an old one, during a failover). */
  | { readonly kind: 'event'; readonly frameworkId: string; readonly event: SchedulerEvent; readonly streamId?: string }
  | { readonly kind: 'close-stream'; readonly frameworkId: string; readonly streamId: string }
  | { readonly kind: 'allocator'; readonly apply: (allocator: Allocator) => void }
  | { readonly kind: 'link'; readonly pid: string }
  | { readonly kind: 'timer'; readonly key: string; readonly delayMs: number; readonly input: MasterTimer }
  | { readonly kind: 'cancel-timer'; readonly key: string }
  /** For the operator SUBSCRIBE streams; built only when one is open. */
  | { readonly kind: 'operator-event'; readonly build: () => OperatorEvent }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn'; readonly fields: object; readonly message: string };

export function send<N extends InternalName>(to: string, name: N, body: InternalMessage<N>): SendEffect<N> {
  return { kind: 'send', to, name, body };
}
