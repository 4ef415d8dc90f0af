/**
 * Resolves on a later turn of the event loop, after pending I/O and events (so an AbortSignal
 * fired meanwhile is seen), in Node and in browsers alike: a MessageChannel message where there is
 * one (no 4 ms timer clamping in browsers), else `setTimeout(0)`. Long loops call it between batches.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(resolve, 0);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
