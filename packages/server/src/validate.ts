import { ErrorCode, GhostError, type SchemaDefinition } from '@ghost/protocol';
import type { z } from 'zod';

/** Checks app payloads against the app's schema; without a schema everything passes unchanged. */
export class Validator {
  constructor(private readonly schema: SchemaDefinition | undefined) {}

  topicAllowed(topic: string): void {
    if (this.schema?.strict && !Object.prototype.hasOwnProperty.call(this.schema.topics ?? {}, topic)) {
      throw new GhostError(ErrorCode.FORBIDDEN, `Topic ${JSON.stringify(topic)} is not declared in the schema`);
    }
  }

  topicData(topic: string, data: unknown): unknown {
    this.topicAllowed(topic);
    const topics = this.schema?.topics;
    const schema = topics && Object.prototype.hasOwnProperty.call(topics, topic) ? topics[topic] : undefined;
    return check(schema, data, `topic ${JSON.stringify(topic)}`);
  }

  /** Whether presence states are checked: when not, a state is never parsed, only relayed as text. */
  get checksPresence(): boolean {
    return this.schema?.presence !== undefined;
  }

  presenceState(state: unknown): unknown {
    return check(this.schema?.presence, state, 'presence state');
  }

  broadcast(data: unknown): unknown {
    return check(this.schema?.broadcast, data, 'broadcast data');
  }

  direct(data: unknown): unknown {
    return check(this.schema?.direct, data, 'direct data');
  }
}

function check(schema: z.ZodType | undefined, value: unknown, what: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new GhostError(ErrorCode.INVALID_PAYLOAD, `Invalid ${what} at ${path}: ${issue.message}`);
}
