import { ErrorCode, GhostError } from '@ghost/protocol';
import type { Connection } from './connection.js';
import type { Authorize, AuthorizeAction, AuthorizeTarget, GhostUser } from './options.js';
import { toError } from './to-error.js';

/**
 * Runs the app's `authorize` once per connection, target and action, and remembers the answer, so a
 * cursor tracked 60 times a second asks once. A throwing or rejecting `authorize` denies.
 */
export class Authorizer {
  constructor(private readonly authorize: Authorize | undefined, private readonly reportError: (error: Error) => void) {}

  /** Runs `step` if allowed: at once when the answer is known, after it otherwise; denied → FORBIDDEN. */
  guard<T>(connection: Connection, target: AuthorizeTarget, action: AuthorizeAction, step: () => T): T | Promise<Awaited<T>> {
    if (!this.authorize) return step();
    const key = `${target.kind}\u0000${target.name}\u0000${action}`;
    let decision = connection.decisions.get(key);
    if (decision === undefined) {
      decision = this.ask(connection.user, target, action);
      connection.decisions.set(key, decision);
      if (decision instanceof Promise) void decision.then((allowed) => connection.decisions.set(key, allowed));
    }
    if (decision instanceof Promise) return decision.then((allowed) => Promise.resolve(allowedOrThrow(allowed, target, action, step)));
    return allowedOrThrow(decision, target, action, step);
  }

  /**
   * Runs a step that needs no permission (untrack, leave, unsubscribe) after any answer still pending
   * for `after`, so it cannot overtake the step it undoes.
   */
  after<T>(connection: Connection, target: AuthorizeTarget, after: AuthorizeAction[], step: () => T): T | Promise<T> {
    const pending = after
      .map((action) => connection.decisions.get(`${target.kind}\u0000${target.name}\u0000${action}`))
      .filter((decision): decision is Promise<boolean> => decision instanceof Promise);
    return pending.length === 0 ? step() : Promise.all(pending).then(step, step);
  }

  private ask(user: GhostUser | undefined, target: AuthorizeTarget, action: AuthorizeAction): boolean | Promise<boolean> {
    const denied = (error: unknown) => {
      this.reportError(toError(error));
      return false;
    };
    try {
      const answer = this.authorize!(user, target, action);
      return answer instanceof Promise ? answer.then((allowed) => allowed === true, denied) : answer === true;
    } catch (error) {
      return denied(error);
    }
  }
}

function allowedOrThrow<T>(allowed: boolean, target: AuthorizeTarget, action: AuthorizeAction, step: () => T): T {
  if (!allowed) throw new GhostError(ErrorCode.FORBIDDEN, `Not allowed to ${action} ${target.kind} ${JSON.stringify(target.name)}`);
  return step();
}
