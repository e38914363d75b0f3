import { ErrorCode, GhostError } from '@ghost/protocol';
import type { Connection } from './connection.js';
import type { Authorize, AuthorizeAction, AuthorizeTarget, GhostUser } from './options.js';
import { toError } from './to-error.js';

/**
 * Actions that include another: tracking a room watches it too. Such an action's remembered decision
 * is both answers (the one it includes asked first, and only if allowed), so a step needing both
 * looks up one decision.
 */
const INCLUDES: Partial<Record<AuthorizeAction, AuthorizeAction>> = { track: 'watch' };

/**
 * Runs the app's `authorize` once per connection, target and action, and remembers the answer, so a
 * cursor tracked 60 times a second asks once. A throwing or rejecting `authorize` denies.
 */
export class Authorizer {
  constructor(private readonly authorize: Authorize | undefined, private readonly reportError: (error: Error) => void) {}

  /** Whether the app gave an `authorize` to ask; without one every step runs at once. */
  get asks(): boolean {
    return this.authorize !== undefined;
  }

  /** Runs `step` if allowed: at once when the answer is known, after it otherwise; denied → FORBIDDEN. */
  guard<T>(connection: Connection, target: AuthorizeTarget, action: AuthorizeAction, step: () => T): T | Promise<Awaited<T>> {
    if (!this.authorize) return step();
    const decision = this.decision(connection, target, action);
    if (decision instanceof Promise) return decision.then((allowed) => Promise.resolve(this.run(allowed, connection, target, action, step)));
    return this.run(decision, connection, target, action, step);
  }

  /**
   * Runs a step that needs no permission (untrack, leave, unsubscribe) after any answer still pending
   * for `after`, so it cannot overtake the step it undoes.
   */
  after<T>(connection: Connection, target: AuthorizeTarget, after: AuthorizeAction[], step: () => T): T | Promise<T> {
    const pending = after
      .map((action) => connection.decisions.get(keyOf(target, action)))
      .filter((decision): decision is Promise<boolean> => decision instanceof Promise);
    return pending.length === 0 ? step() : Promise.all(pending).then(step, step);
  }

  /** The remembered decision, made on first use. */
  private decision(connection: Connection, target: AuthorizeTarget, action: AuthorizeAction): boolean | Promise<boolean> {
    const key = keyOf(target, action);
    let decision = connection.decisions.get(key);
    if (decision === undefined) {
      const included = INCLUDES[action];
      const ask = (allowed: boolean) => (allowed ? this.ask(connection.user, target, action) : false);
      if (included === undefined) decision = ask(true);
      else {
        const first = this.decision(connection, target, included);
        decision = first instanceof Promise ? first.then(ask) : ask(first);
      }
      connection.decisions.set(key, decision);
      if (decision instanceof Promise) void decision.then((allowed) => connection.decisions.set(key, allowed));
    }
    return decision;
  }

  /** Runs `step` if allowed; denied, names the action refused: the included one if that was, else the action itself. */
  private run<T>(allowed: boolean, connection: Connection, target: AuthorizeTarget, action: AuthorizeAction, step: () => T): T {
    if (allowed) return step();
    const included = INCLUDES[action];
    const refused = included !== undefined && connection.decisions.get(keyOf(target, included)) === false ? included : action;
    throw new GhostError(ErrorCode.FORBIDDEN, `Not allowed to ${refused} ${target.kind} ${JSON.stringify(target.name)}`);
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

function keyOf(target: AuthorizeTarget, action: AuthorizeAction): string {
  return `${target.kind}\u0000${target.name}\u0000${action}`;
}
