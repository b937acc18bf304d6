/**
 * PutEvents: 1 to 10 entries, 256 KB in all (sized as "Calculating PutEvents event entry size"
 * says: Time 14 bytes, Source, DetailType, Detail and each Resources entry in UTF-8 bytes), each
 * answered with its EventId or its ErrorCode and ErrorMessage (FailedEntryCount counts those).
 * The same request reaches the bus from `arn:aws:states:::events:putEvents` tasks.
 */
import type { EventBus, PutEventsEntry, PutEventsResult } from '../../runtime/event-bus.js';
import { EventsError, requiredList, validation, type EventsContext, type Request } from './request.js';

const MAX_REQUEST_BYTES = 256 * 1024;

export function putEvents({ bus }: EventsContext, request: Request): Promise<PutEventsResult> {
  return putEventsRequest(bus, request);
}

/** Checks the request as a whole (count, size) and puts its entries; throws EventsError. */
export function putEventsRequest(bus: EventBus, request: Request): Promise<PutEventsResult> {
  const entries = requiredList(request, 'Entries', 1, 10);
  let size = 0;
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new EventsError('SerializationException', 'Each of Entries must be an object.');
    size += entrySize(entry as PutEventsEntry);
  }
  if (size > MAX_REQUEST_BYTES) throw validation('Total size of the entries in the request is over the limit.');
  return bus.putEvents(entries as PutEventsEntry[]);
}

function entrySize(entry: PutEventsEntry): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  let size = entry.Time !== undefined ? 14 : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) size += bytes(r);
  return size;
}
