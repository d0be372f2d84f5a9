import { failingToNumbers, sandboxFromNumber, type DeliveryFailure } from './phone-numbers.ts';
import type { MessageStatus, SmsRecord } from './message-store.ts';

/**
 * Plays out a created message at `now`, calling `notify` at every status change Twilio reports
 * to a StatusCallback: sent then delivered; sent then undelivered, or failed outright, for the
 * failing numbers of phone-numbers.ts. It all happens at once, at the moment of sending: the
 * sandbox clock only moves when told to, and a demo that never moves it must still see
 * messages arrive. The 201 answer is taken before this runs, so it shows `queued` as Twilio's does.
 */
export function deliverMessage(record: SmsRecord, now: Date, notify: (record: SmsRecord) => void): void {
  const change = (status: MessageStatus, failure?: DeliveryFailure) => {
    record.status = status;
    record.dateUpdated = now;
    if (failure) {
      record.errorCode = failure.errorCode;
      record.errorMessage = failure.errorMessage;
    }
    notify(record);
  };
  // A Messaging Service picks its sender when the message leaves the queue.
  if (record.from === null) record.from = sandboxFromNumber;
  const failure = failingToNumbers[record.to];
  if (failure?.status === 'failed') return change('failed', failure);
  record.dateSent = now;
  change('sent');
  if (failure) change('undelivered', failure);
  else change('delivered');
}
