import { EventEmitter } from 'eventemitter3';

/**
 * An event emitter whose `emit` never throws: a listener's throw goes to `report` instead. Events are
 * emitted from socket callbacks and state updates that must finish whatever an app's listener does.
 * As with any eventemitter3 emitter, the listeners after a throwing one miss that event.
 */
export class SafeEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  constructor(private readonly report: (thrown: unknown, event: EventEmitter.EventNames<Events>) => void) {
    super();
  }

  override emit<E extends EventEmitter.EventNames<Events>>(event: E, ...args: EventEmitter.EventArgs<Events, E>): boolean {
    try {
      return super.emit(event, ...args);
    } catch (thrown) {
      this.report(thrown, event);
      return true;
    }
  }
}
